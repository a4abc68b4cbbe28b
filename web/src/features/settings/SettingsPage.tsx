import { Section } from '../../components/Section.tsx'
import { PasswordCard } from './PasswordCard.tsx'
import { ProfileCard } from './ProfileCard.tsx'
import { TwoFactorCard } from './TwoFactorCard.tsx'
import { useAuthSession } from './useAuthSession.ts'

/** The signed-in person's own account: name, password and two-factor sign-in. */
export function SettingsPage() {
  const session = useAuthSession()
  return (
    <div className="max-w-2xl space-y-8">
      <h1 className="text-2xl font-semibold">Settings</h1>
      <Section
        title="Your account"
        query={session}
        isEmpty={(d) => !d?.user}
        empty="This session has no account to change (API keys have no settings)."
      >
        {(d) => (
          <div className="space-y-6">
            <ProfileCard user={d!.user} />
            <PasswordCard />
            <TwoFactorCard enabled={Boolean(d!.user.twoFactorEnabled)} />
          </div>
        )}
      </Section>
    </div>
  )
}
