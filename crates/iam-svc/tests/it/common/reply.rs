//! Assertions on iam-svc's replies beside the kit's status ones: the exact Keystone error.

use service_kit::testing::TestResponse;

use super::assert_keystone_error;

pub trait KeystoneReply {
    /// Panics unless the reply is exactly the Keystone error `code` with `message`.
    fn assert_keystone_error(self, code: u16, message: &str) -> Self;
}

impl KeystoneReply for TestResponse {
    #[track_caller]
    fn assert_keystone_error(self, code: u16, message: &str) -> Self {
        assert_keystone_error(self.status(), &self.json(), code, message);
        self
    }
}
