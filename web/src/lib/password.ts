/** The server's password rule (better-auth's length limits and the users API): 12 to 128 characters. */
export const PASSWORD_MIN = 12
export const PASSWORD_MAX = 128
