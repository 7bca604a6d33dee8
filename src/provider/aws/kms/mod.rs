//! KMS on the simulated cloud: `aws_kms_key`, `aws_kms_external_key`, `aws_kms_alias`,
//! `aws_kms_key_policy`, `aws_kms_grant` and `aws_kms_ciphertext`, one file each, plus what they
//! share (the key-policy validator, "already going" on destroy).
//!
//! Writes go through the sim's KMS operations as lab-admin; reads look at the world directly and
//! record nothing. KMS business rules (states, lockout check, alias limits) are the sim's. The
//! `aws_kms_alias` data source is in `data/kms_alias.rs`.

pub(super) mod alias;
pub(super) mod ciphertext;
pub(super) mod external_key;
pub(super) mod grant;
pub(super) mod key;
pub(super) mod key_policy;

use super::attrs::policy_json;
use super::common::resolve_key;
use crate::schema::check;
use crate::sim::World;
use crate::sim::world::KeyState;
use crate::value::Value;

/// True for errors that mean "already gone or going" when destroying a key: the key does not
/// exist, or KMS refused because it is already pending deletion. Which of KMS's
/// `KMSInvalidStateException`s it was is read from the world (the key's state), never from the
/// error's text.
fn key_already_going(w: &World, key_ref: &str, code: &str) -> bool {
    code == "NotFoundException"
        || (code == "KMSInvalidStateException"
            && resolve_key(w, key_ref)
                .and_then(|id| w.kms.keys.get(id))
                .is_some_and(|k| k.state == KeyState::PendingDeletion))
}

/// A key policy: a JSON policy document of at most 32 KiB.
fn key_policy_json(v: &Value) -> Result<(), String> {
    policy_json(v)?;
    check::len_between(v, 0, 32_768)
}

/// Test support shared by the KMS files (and the alias data source's tests).
#[cfg(test)]
pub(super) mod testing {
    use crate::provider::Provider;
    use crate::provider::aws::AwsProvider;
    use crate::provider::aws::common::testing::*;
    use crate::value::{Map, Value};

    pub(crate) fn new_key(p: &mut AwsProvider<'_>, extra: Vec<(&str, Value)>) -> Map {
        let mut cfg = vec![("description", s("lab key"))];
        cfg.extend(extra);
        let planned = plan_create(p, "aws_kms_key", cfg);
        p.create("aws_kms_key", &planned).expect("creates key")
    }
}

#[cfg(test)]
mod tests {
    use super::key_already_going;
    use super::testing::new_key;
    use crate::provider::Provider;
    use crate::provider::aws::common::testing::*;

    #[test]
    fn already_going_is_read_from_the_key_state_not_the_message() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        let key = new_key(&mut p, vec![]);
        let (id, arn) = (key["id"].as_str().unwrap(), key["arn"].as_str().unwrap());
        let w = &p.cloud.world;
        assert!(key_already_going(w, "no-such-key", "NotFoundException"));
        assert!(!key_already_going(w, id, "KMSInvalidStateException"));
        assert!(!key_already_going(w, id, "DisabledException"));
        p.delete("aws_kms_key", &key).unwrap();
        let w = &p.cloud.world;
        assert!(key_already_going(w, id, "KMSInvalidStateException"));
        assert!(key_already_going(w, arn, "KMSInvalidStateException"));
        assert!(!key_already_going(w, id, "AccessDeniedException"));
    }
}
