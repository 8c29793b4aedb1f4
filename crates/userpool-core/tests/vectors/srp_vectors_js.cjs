// Replays srp_vectors.json (SPEC §15) through a second independent client, amazon-cognito-identity-js,
// unchanged: CognitoUser.authenticateUser runs its whole USER_SRP_AUTH flow against a stub
// service that answers InitiateAuth with each vector's challenge parameters, with the
// client's `a` and clock pinned to the vector's. The SRP_A it sends and the
// PASSWORD_CLAIM_SIGNATURE it answers must equal the vector's (which pycognito computed).
//
//   mkdir -p target/srp-node && (cd target/srp-node && npm install amazon-cognito-identity-js@6.3.16)
//   NODE_PATH=target/srp-node/node_modules node crates/userpool-core/tests/vectors/srp_vectors_js.cjs
"use strict";

const assert = require("node:assert");
const fs = require("node:fs");
const path = require("node:path");
const {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserPool,
} = require("amazon-cognito-identity-js");
const AuthenticationHelper = require("amazon-cognito-identity-js/lib/AuthenticationHelper").default;
const BigInteger = require("amazon-cognito-identity-js/lib/BigInteger").default;

const vectors = JSON.parse(fs.readFileSync(path.join(__dirname, "srp_vectors.json"), "utf8")).vectors;

let pinnedA = null;
AuthenticationHelper.prototype.generateRandomSmallA = function () {
  return new BigInteger(pinnedA, 16);
};

const RealDate = Date;
let pinnedNow = null;
global.Date = class extends RealDate {
  constructor(...args) {
    super(...(args.length ? args : [pinnedNow]));
  }
  static now() {
    return pinnedNow;
  }
};

function replay(vector) {
  return new Promise((resolve, reject) => {
    pinnedA = vector.a;
    pinnedNow = RealDate.parse(vector.now);
    const pool = new CognitoUserPool({ UserPoolId: vector.pool_id, ClientId: "client-id" });
    const seen = {};
    pool.client = {
      request(operation, params, callback) {
        if (operation === "InitiateAuth") {
          seen.srpA = params.AuthParameters.SRP_A;
          callback(null, {
            ChallengeName: "PASSWORD_VERIFIER",
            ChallengeParameters: {
              USER_ID_FOR_SRP: vector.user_id,
              USERNAME: vector.user_id,
              SALT: vector.salt,
              SRP_B: vector.srp_b,
              SECRET_BLOCK: vector.secret_block,
            },
          });
        } else if (operation === "RespondToAuthChallenge") {
          seen.answer = params.ChallengeResponses;
          callback(new Error("stub: stop here"));
        } else {
          callback(new Error(`unexpected ${operation}`));
        }
      },
    };
    const user = new CognitoUser({ Username: vector.user_id, Pool: pool });
    const details = new AuthenticationDetails({ Username: vector.user_id, Password: vector.password });
    user.authenticateUser(details, {
      onSuccess: () => reject(new Error("the stub never succeeds")),
      onFailure: () => resolve(seen),
    });
  });
}

(async () => {
  for (const vector of vectors) {
    const seen = await replay(vector);
    assert.strictEqual(seen.srpA, vector.srp_a, `${vector.name}: SRP_A`);
    assert.strictEqual(seen.answer.TIMESTAMP, vector.timestamp, `${vector.name}: TIMESTAMP`);
    assert.strictEqual(seen.answer.PASSWORD_CLAIM_SECRET_BLOCK, vector.secret_block, `${vector.name}: block`);
    assert.strictEqual(seen.answer.PASSWORD_CLAIM_SIGNATURE, vector.signature, `${vector.name}: signature`);
    console.log(`${vector.name}: amazon-cognito-identity-js agrees`);
  }
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
