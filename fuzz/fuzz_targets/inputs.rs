//! SPEC §1: every field's validation is total — any bytes give `Ok` or a typed
//! `InvalidParameterException`, never a panic — and an accepted value round-trips.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use userpool_core::{
    AdminSetUserPasswordInput, ConfirmationCode, Password, UserPoolId, UserStatus, Username,
};

fuzz_target!(|data: &[u8]| {
    if let Ok(id) = UserPoolId::from_utf8(data) {
        assert_eq!(UserPoolId::parse(id.as_str()).ok().as_ref(), Some(&id));
    }
    if let Ok(name) = Username::from_utf8(data) {
        assert_eq!(Username::parse(name.as_str()).ok().as_ref(), Some(&name));
    }
    match Password::from_utf8(data) {
        Ok(password) => assert!(!password.expose().is_empty()),
        Err(e) => assert_eq!(e.code(), "InvalidParameterException"),
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = ConfirmationCode::parse(text);
        let _ = text.parse::<UserStatus>();
        // Split the input across the members of AdminSetUserPassword.
        let mut parts = text.splitn(3, '\u{1f}');
        let (id, name, password) = (parts.next(), parts.next(), parts.next());
        if let Err(e) =
            AdminSetUserPasswordInput::parse(id, name, password, Some(data.len() % 2 == 0))
        {
            assert!(
                e.to_string().contains("validation error")
                    || e.code() == "InvalidParameterException"
            );
        }
    }
});
