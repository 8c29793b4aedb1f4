// SPEC §15 end to end: amazon-cognito-identity-js, unchanged, signs in against the real
// server with its default flow (USER_SRP_AUTH → PASSWORD_VERIFIER).
//
//   node srp_sign_in.cjs <endpoint> <poolId> <clientId> <username> <password> [newPassword]
//
// Prints one JSON line: {"outcome":"tokens","idToken":...,"accessToken":...} after
// authenticateUser (or after completeNewPasswordChallenge when newPassword is given),
// {"outcome":"newPasswordRequired","userAttributes":...,"requiredAttributes":...} when the
// challenge comes and no newPassword was given, or {"outcome":"error","code":...,
// "message":...}. Run by test_s15_srp.py with NODE_PATH pointing at the modules that
// `npm ci` installed from package-lock.json into <workspace>/target/e2e-node.
"use strict";

const {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserPool,
} = require("amazon-cognito-identity-js");

const [endpoint, poolId, clientId, username, password, newPassword] = process.argv.slice(2);

function print(value) {
  process.stdout.write(JSON.stringify(value) + "\n");
}

function tokens(session) {
  return {
    outcome: "tokens",
    idToken: session.getIdToken().getJwtToken(),
    accessToken: session.getAccessToken().getJwtToken(),
    refreshToken: session.getRefreshToken().getToken(),
  };
}

function failure(err) {
  return { outcome: "error", code: err.code || err.name, message: err.message };
}

const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint });
const user = new CognitoUser({ Username: username, Pool: pool });
const details = new AuthenticationDetails({ Username: username, Password: password });

user.authenticateUser(details, {
  onSuccess: (session) => print(tokens(session)),
  onFailure: (err) => print(failure(err)),
  newPasswordRequired: (userAttributes, requiredAttributes) => {
    if (!newPassword) {
      print({ outcome: "newPasswordRequired", userAttributes, requiredAttributes });
      return;
    }
    // As AWS's own sample does: send the challenge's attributes back without the verified
    // flags (a user may not set those), here with a name added, which the server writes
    // with the new password.
    delete userAttributes.email_verified;
    delete userAttributes.phone_number_verified;
    userAttributes.name = "JS User";
    user.completeNewPasswordChallenge(newPassword, userAttributes, {
      onSuccess: (session) => print(tokens(session)),
      onFailure: (err) => print(failure(err)),
    });
  },
});
