//! # The manual
//!
//! ## States and transitions
//!
//! ```text
//!                 AdminCreateUser / AdminSetUserPassword(temporary)
//!                              │
//!   SignUp ──► UNCONFIRMED     ▼                       AdminResetUserPassword
//!                 │     FORCE_CHANGE_PASSWORD     CONFIRMED ─────────────► RESET_REQUIRED
//!   ConfirmSignUp │            │ NEW_PASSWORD_REQUIRED ▲  ▲                     │
//!                 └────────────┼──────────────────────┘  └─────────────────────┘
//!                              └── answered ──────────►     ConfirmForgotPassword
//!
//!   AdminSetUserPassword(permanent): any status ──► CONFIRMED
//!   AdminSetUserPassword(temporary): any status ──► FORCE_CHANGE_PASSWORD
//!   federated sign-in ──► EXTERNAL_PROVIDER ──(AdminSetUserPassword)──► CONFIRMED / FCP
//!   AdminDisableUser / AdminEnableUser: the `Enabled` flag only
//! ```
//!
//! ## Cognito mapping
//!
//! | Cognito | here |
//! |---|---|
//! | `AdminSetUserPassword` | [`crate::transitions::admin_set_user_password`] |
//! | `AdminCreateUser` (RESEND) | [`crate::transitions::admin_create_user`] ([`crate::transitions::resend_invitation`]) |
//! | `SignUp`, `ConfirmSignUp`, `AdminConfirmSignUp` | [`crate::transitions::sign_up`], [`crate::transitions::confirm_sign_up`], [`crate::transitions::admin_confirm_sign_up`] |
//! | `ResendConfirmationCode` | [`crate::transitions::resend_confirmation_code`] |
//! | `InitiateAuth` `USER_PASSWORD_AUTH` | [`crate::signin::sign_in`] |
//! | `RespondToAuthChallenge` `NEW_PASSWORD_REQUIRED` | [`crate::transitions::respond_to_new_password_required`] |
//! | `ChangePassword` | [`crate::transitions::change_password`] |
//! | `AdminResetUserPassword` | [`crate::transitions::admin_reset_user_password`] |
//! | `ForgotPassword`, `ConfirmForgotPassword` | [`crate::transitions::forgot_password`], [`crate::transitions::confirm_forgot_password`] |
//! | `AdminDisableUser`, `AdminEnableUser` | [`crate::transitions::admin_disable_user`], [`crate::transitions::admin_enable_user`] |
//! | `AssociateSoftwareToken`, `VerifySoftwareToken` | [`crate::mfa::associate_software_token`], [`crate::mfa::verify_software_token`] (and their `_in_session` forms for `MFA_SETUP`) |
//! | `SetUserMFAPreference`, `AdminSetUserMFAPreference`, `(Admin)SetUserSettings` | [`crate::mfa::set_user_mfa_preference`], [`crate::mfa::set_sms_mfa`] |
//! | `RespondToAuthChallenge` `SOFTWARE_TOKEN_MFA`, `SMS_MFA`, `SELECT_MFA_TYPE`, `MFA_SETUP` | [`crate::mfa::respond_to_software_token_mfa`], [`crate::mfa::respond_to_sms_mfa`], [`crate::mfa::respond_to_select_mfa_type`], [`crate::mfa::respond_to_mfa_setup`] |
//! | `MfaConfiguration` | [`crate::mfa::PoolMfaConfig`] |
//! | `PasswordPolicy` | [`crate::PasswordPolicy`] |
//! | exception names | [`crate::ErrorCode`] |
//!
//! ## Decisions where AWS documents nothing
//!
//! - Passwords: inner spaces allowed, control characters refused, NFKC before hashing,
//!   length in grapheme clusters (clusters that show nothing, such as WORD JOINER or ZERO
//!   WIDTH SPACE, do not count).
//! - Policy rules reported in the order length, lowercase, uppercase, numbers, symbols.
//! - A replaced temporary password is not kept in history.
//! - With history off, the answer to NEW_PASSWORD_REQUIRED may repeat the temporary
//!   password, as Cognito allows; a pool may refuse that
//!   ([`crate::PasswordPolicyBuilder::refuse_temporary_as_new`], OWASP ASVS 5 §6.4.1).
//! - AdminSetUserPassword works on disabled users and keeps `Enabled`; it also clears the
//!   lockout count, open challenges and pending codes.
//! - Sign-in verifies the password before revealing any state of the user.
//! - AdminResetUserPassword is refused from every status but CONFIRMED and RESET_REQUIRED.
//! - Failed code attempts and failed sign-ins are the only state a refused call writes.
//! - **(decision)** Codes (SPEC §12, see [`crate::codes`]): wrong attempts are counted per
//!   user and purpose across reissued codes; after 5 wrong attempts within an hour every
//!   code check of that purpose fails with `LimitExceededException` `Attempt limit
//!   exceeded, please try after some time.` until an hour after the first of them (a
//!   rolling hour). At most 5 codes per user and purpose are issued in any rolling hour
//!   (SignUp, ResendConfirmationCode, ForgotPassword and AdminResetUserPassword all
//!   count); a further request is `LimitExceededException`, issues and writes nothing. A
//!   correct code resets both counts; nothing else does (not AdminSetUserPassword, not
//!   AdminConfirmSignUp). Only a code actually compared counts as a wrong attempt: a check
//!   refused before comparing (limit reached, no or expired code, wrong status) and a
//!   refused issuance write nothing. The counts are part of [`crate::UserRecord`]
//!   ([`crate::CodeThrottles`]), so they survive restarts and are shared by every process
//!   using the store. Cognito documents a limit, not its numbers.
//! - **(decision)** ResendConfirmationCode from any status but UNCONFIRMED is
//!   `InvalidParameterException` `User is already confirmed.` (Cognito's answer for a
//!   CONFIRMED user), and for a disabled user `NotAuthorizedException` `User is disabled.`
//!
//! ## What this crate does not do
//!
//! - No I/O: no clock, no storage, no network, no global RNG. `userpool-store` wires those.
//! - No tokens (JWTs): the host or `userpool-server` issues them after
//!   [`crate::signin::SignInOutcome::Authenticated`].
//! - No custom auth challenges, email MFA (`EMAIL_OTP`), or device SRP (`DEVICE_SRP_AUTH`).
//!   MFA with TOTP software tokens and SMS codes (SPEC §18) is in [`crate::mfa`]. User SRP
//!   (`USER_SRP_AUTH` → PASSWORD_VERIFIER, SPEC §15) is in [`crate::srp`]; the password as
//!   typed (before NFKC) is what its verifier is computed from.
//! - No message delivery: codes and temporary passwords come out as [`crate::Event`]s.
//!
//! ## Security
//!
//! - Passwords are [`crate::Password`]: wiped on drop, redacted in `Debug`, no `Display`.
//! - argon2id with a fresh 128-bit salt per hash; argon2's working memory is ours and wiped.
//! - Stored hash parameters are untrusted: above the ceiling they are refused, not computed.
//! - Output comparison is constant-time; unknown users cost one dummy verification.
//! - Hashing can be bounded host-wide ([`crate::HashPermits`], SPEC §13): every argon2
//!   computation, the unknown-user decoy and each history helper thread included, takes a
//!   permit first, so memory stays at about *limit* × `m` under any load; a refused permit
//!   is `TooManyRequestsException` and changes nothing.
//! - Codes and session tokens are stored only as salted digests. Six-digit codes are weak
//!   against an attacker holding the database; they expire (1 h / 24 h), and an attacker
//!   who knows only a username gets at most five guesses an hour per user and purpose,
//!   however often codes are reissued (SPEC §12).
//! - With [`crate::HistoryMode::PerUserSalt`], read its trade-off before enabling it.
//! - TOTP secrets are [`crate::mfa::TotpSecret`] (wiped, redacted) and live in the user's
//!   [`crate::mfa::MfaBlob`], which a store must seal (SPEC §14; `SealingStore` does). A
//!   TOTP step is accepted once; MFA sessions are salted digests bound to the credential;
//!   a wrong MFA answer counts toward the sign-in lockout, which a right password alone
//!   does not reset.
