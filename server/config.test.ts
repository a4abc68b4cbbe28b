import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, describeConfig, loadConfig, readEnv } from './config.ts'

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({})
    expect(config).toMatchObject({ env: 'development', host: '127.0.0.1', port: 3000, logLevel: 'info' })
    expect(config.dataDir).toBe(path.resolve('./data'))
    expect(config.database).toMatchObject({ engine: 'pglite', poolSize: 1 })
    expect(config.redisUrl).toBeUndefined()
    expect(config.version).toMatch(/^\d+\.\d+\.\d+/)
    expect(config.commit.length).toBeGreaterThan(0)
  })

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['APP_ENV', 'prod'],
    ['LOG_LEVEL', 'loud'],
    ['DATABASE_URL', 'mysql://x@y/z'],
    ['DATABASE_URL', 'not a url'],
    ['REDIS_URL', 'http://localhost'],
    ['SHUTDOWN_TIMEOUT_MS', '-5'],
  ])('rejects %s=%s with an error naming the variable', (name, value) => {
    let error: unknown
    try {
      loadConfig({ [name]: value })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).variable).toBe(name)
    expect((error as Error).message).toMatch(new RegExp(`^${name}: `))
  })

  it("honours the runbook's connection_limit and pgbouncer parameters", () => {
    const config = loadConfig({
      DATABASE_URL:
        'postgres://app:s3cret-pw@db.internal:5432/sentia?pgbouncer=true&connection_limit=10&sslmode=disable',
    })
    expect(config.database).toMatchObject({ engine: 'postgres', poolSize: 10, preparedStatements: false })
    expect(config.database.connectionString).toBe(
      'postgres://app:s3cret-pw@db.internal:5432/sentia?sslmode=disable',
    )
    const plain = loadConfig({ DATABASE_URL: 'postgresql://localhost/sentia' })
    expect(plain.database).toMatchObject({ poolSize: 10, preparedStatements: true })
  })

  it('rejects a bad connection_limit naming DATABASE_URL', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://localhost/x?connection_limit=zero' })).toThrow(
      /^DATABASE_URL: connection_limit/,
    )
  })

  it('keeps secrets out of the printable config and records them for masking', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://app:s3cret-pw@db/sentia',
      REDIS_URL: 'redis://:r3dis-pw@cache:6379',
    })
    const printed = JSON.stringify(describeConfig(config))
    expect(printed).not.toContain('s3cret-pw')
    expect(printed).not.toContain('r3dis-pw')
    expect(config.secrets).toEqual(expect.arrayContaining(['s3cret-pw', 'r3dis-pw']))
  })
})

describe('grouped settings', () => {
  it('needs all three OIDC variables, or none', () => {
    expect(loadConfig({}).auth.oidc).toBeUndefined()
    expect(() => loadConfig({ OIDC_ISSUER: 'https://id.example.com' })).toThrow(
      /^OIDC_CLIENT_ID: is required/,
    )
    const oidc = loadConfig({
      OIDC_ISSUER: 'https://id.example.com/',
      OIDC_CLIENT_ID: 'app',
      OIDC_CLIENT_SECRET: 's3cret-value',
    }).auth.oidc
    expect(oidc).toEqual({
      issuer: 'https://id.example.com',
      clientId: 'app',
      clientSecret: 's3cret-value',
      name: 'Single sign-on',
    })
  })

  it('needs the first admin email and password together', () => {
    expect(() => loadConfig({ SENTIA_ADMIN_EMAIL: 'a@example.com' })).toThrow(/^SENTIA_ADMIN_PASSWORD/)
    expect(() => loadConfig({ SENTIA_ADMIN_EMAIL: 'a@example.com', SENTIA_ADMIN_PASSWORD: 'short' })).toThrow(
      /^SENTIA_ADMIN_PASSWORD: must be at least 12/,
    )
    expect(
      loadConfig({ SENTIA_ADMIN_EMAIL: 'A@Example.com', SENTIA_ADMIN_PASSWORD: 'long enough pw' }).auth.admin,
    ).toEqual({
      email: 'a@example.com',
      password: 'long enough pw',
    })
  })

  it('splits SESSION_SECRETS and masks each one', () => {
    const config = loadConfig({ SESSION_SECRETS: 'first-secret-value, second-secret-value' })
    expect(config.auth.sessionSecrets).toEqual(['first-secret-value', 'second-secret-value'])
    expect(config.secrets).toEqual(expect.arrayContaining(['first-secret-value', 'second-secret-value']))
  })
})

describe('readEnv', () => {
  it('reads .env from the working directory and lets the real environment win', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sentia-env-'))
    writeFileSync(path.join(dir, '.env'), 'PORT=4000\nLOG_LEVEL=debug\n# comment\n')
    const env = readEnv(dir, { PORT: '5000' })
    expect(env.PORT).toBe('5000')
    expect(env.LOG_LEVEL).toBe('debug')
    expect(loadConfig(env)).toMatchObject({ port: 5000, logLevel: 'debug' })
  })

  it('works without a .env file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sentia-env-'))
    expect(readEnv(dir, { A: '1' })).toEqual({ A: '1' })
  })
})
