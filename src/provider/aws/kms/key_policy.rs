//! `aws_kms_key_policy`: the key policy of a KMS key, managed on its own. Destroying it puts
//! back the default policy the Terraform provider restores (unless the lockout check was
//! bypassed: then it is only forgotten).

use serde_json::json;

use super::{key_already_going, key_policy_json};
use crate::provider::aws::AwsProvider;
use crate::provider::aws::attrs::string;
use crate::provider::aws::common::{
    bool_of, carry, fail, keep_policy, key_id_of, str_of, target, val,
};
use crate::provider::{ProviderError, Resource};
use crate::schema::{AttrSchema as A, AttrType as T, BodySchema, ResourceSchema};
use crate::sim::World;
use crate::sim::world::KeyState;
use crate::value::{Map, Value};

const KEY_POLICY: &str = "KMS Key Policy";

/// The default key policy the Terraform provider restores when `aws_kms_key_policy` is destroyed.
fn default_key_policy(w: &World) -> String {
    format!(
        r#"{{
	"Id": "default",
	"Version": "2012-10-17",
	"Statement": [
		{{
			"Sid": "Enable IAM User Permissions",
			"Effect": "Allow",
			"Principal": {{
				"AWS": "arn:aws:iam::{}:root"
			}},
			"Action": "kms:*",
			"Resource": "*"
		}}
	]
}}"#,
        w.account_id
    )
}

/// `aws_kms_key_policy`.
pub(crate) struct KeyPolicy;

impl Resource<AwsProvider<'_>> for KeyPolicy {
    fn schema(&self) -> ResourceSchema {
        ResourceSchema {
            kind: "aws_kms_key_policy",
            summary: "The key policy of a KMS key, managed on its own",
            body: BodySchema::new(vec![
                A::required("key_id", string()).force_new(),
                A::required("policy", T::Json).validate(key_policy_json),
                A::optional("bypass_policy_lockout_safety_check", T::Bool).default(false),
                A::computed("id", string()),
            ])
            .unsupported(&["region"]),
        }
    }

    fn noun(&self) -> &'static str {
        KEY_POLICY
    }

    fn read(&self, aws: &AwsProvider<'_>, prior: &Map) -> Option<Map> {
        read_key_policy(&aws.cloud.world, prior)
    }

    fn create(&self, aws: &mut AwsProvider<'_>, planned: &Map) -> Result<Map, ProviderError> {
        let key = str_of(planned, "key_id").unwrap_or_default().to_string();
        let bypass = bool_of(planned, "bypass_policy_lockout_safety_check").unwrap_or(false);
        put_key_policy(
            aws,
            "creating",
            &key,
            str_of(planned, "policy").unwrap_or_default(),
            bypass,
        )?;
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&key));
        self.read_back(aws, "creating", &key, &seed)
    }

    fn update(
        &self,
        aws: &mut AwsProvider<'_>,
        prior: &Map,
        planned: &Map,
    ) -> Result<Map, ProviderError> {
        let key = str_of(prior, "key_id").unwrap_or_default().to_string();
        if val(prior, "policy") != val(planned, "policy") {
            let bypass = bool_of(planned, "bypass_policy_lockout_safety_check").unwrap_or(false);
            let pol = str_of(planned, "policy").unwrap_or_default().to_string();
            put_key_policy(aws, "updating", &key, &pol, bypass)?;
        }
        let mut seed = planned.clone();
        seed.insert("id".into(), carry(prior, "id", Value::string(&key)));
        self.read_back(aws, "updating", &key, &seed)
    }

    /// Restores the default key policy, unless the lockout check was bypassed (the policy may
    /// no longer let anyone put a policy): then the resource is only forgotten.
    fn delete(&self, aws: &mut AwsProvider<'_>, prior: &Map) -> Result<(), ProviderError> {
        if bool_of(prior, "bypass_policy_lockout_safety_check") == Some(true) {
            return Ok(());
        }
        let key = str_of(prior, "key_id").unwrap_or_default().to_string();
        let policy = default_key_policy(&aws.cloud.world);
        match put_key_policy(aws, "deleting", &key, &policy, false) {
            Err(e)
                if e.code
                    .as_deref()
                    .is_some_and(|c| key_already_going(&aws.cloud.world, &key, c)) =>
            {
                Ok(())
            }
            other => other,
        }
    }
}

fn read_key_policy(w: &World, prior: &Map) -> Option<Map> {
    let key_ref = str_of(prior, "key_id").or_else(|| str_of(prior, "id"))?;
    let k = w.kms.keys.get(key_id_of(key_ref))?;
    if k.state == KeyState::PendingDeletion {
        return None;
    }
    let mut m = Map::new();
    m.insert("key_id".into(), Value::string(key_ref));
    m.insert("id".into(), carry(prior, "id", Value::string(key_ref)));
    m.insert("policy".into(), keep_policy(prior, "policy", &k.policy));
    m.insert(
        "bypass_policy_lockout_safety_check".into(),
        carry(
            prior,
            "bypass_policy_lockout_safety_check",
            Value::Bool(false),
        ),
    );
    Some(m)
}

fn put_key_policy(
    aws: &mut AwsProvider<'_>,
    doing: &str,
    key: &str,
    policy: &str,
    bypass: bool,
) -> Result<(), ProviderError> {
    let p = json!({"KeyId": key, "Policy": policy, "BypassPolicyLockoutSafetyCheck": bypass});
    aws.cloud
        .call_json(&aws.ctx, "kms:PutKeyPolicy", &p)
        .map(|_| ())
        .map_err(|e| fail(doing, &target(KEY_POLICY, key), e))
}

#[cfg(test)]
mod tests {
    use super::super::testing::new_key;
    use crate::addr::Mode;
    use crate::provider::Provider;
    use crate::provider::aws::common::testing::*;
    use crate::value::Value;

    #[test]
    fn key_policy_resource_restores_the_default_on_destroy() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        let key = new_key(&mut p, vec![]);
        let id = key["id"].as_str().unwrap().to_string();
        let policy = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Admin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/lab-admin"},"Action":"kms:*","Resource":"*"}]}"#;
        let planned = plan_create(
            &p,
            "aws_kms_key_policy",
            vec![("key_id", key["arn"].clone()), ("policy", s(policy))],
        );
        let kp = p.create("aws_kms_key_policy", &planned).unwrap();
        assert_complete(Mode::Managed, "aws_kms_key_policy", &kp);
        assert_eq!(kp["id"], key["arn"]);
        assert_eq!(p.cloud.world.kms.keys[&id].policy, policy);
        assert_eq!(
            p.read("aws_kms_key_policy", &kp).unwrap().as_ref(),
            Some(&kp)
        );

        let with_root = policy.replace(
            r#""Resource":"*"}]"#,
            r#""Resource":"*"},{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"kms:*","Resource":"*"}]"#,
        );
        let planned = plan_update(
            &p,
            "aws_kms_key_policy",
            &kp,
            vec![("policy", s(&with_root))],
        );
        let kp = p.update("aws_kms_key_policy", &kp, &planned).unwrap();
        assert_eq!(kp["policy"], s(&with_root));
        assert_eq!(p.cloud.world.kms.keys[&id].policy, with_root);

        let lockout = with_root
            .replace("user/lab-admin", "user/nobody")
            .replace(":root", ":user/nobody");
        let planned = plan_update(&p, "aws_kms_key_policy", &kp, vec![("policy", s(&lockout))]);
        let e = p.update("aws_kms_key_policy", &kp, &planned).unwrap_err();
        assert_eq!(e.code.as_deref(), Some("MalformedPolicyDocumentException"));
        assert!(e.message.starts_with(&format!(
            "updating KMS Key Policy ({}): MalformedPolicyDocumentException:",
            key["arn"].as_str().unwrap()
        )));

        p.delete("aws_kms_key_policy", &kp).unwrap();
        let restored = &p.cloud.world.kms.keys[&id].policy;
        assert!(
            restored.contains("\"Id\": \"default\"")
                && restored.contains("arn:aws:iam::123456789012:root")
        );

        let mut bypass = kp.clone();
        bypass.insert(
            "bypass_policy_lockout_safety_check".into(),
            Value::Bool(true),
        );
        let mark = events(&p);
        p.delete("aws_kms_key_policy", &bypass).unwrap();
        assert_eq!(events(&p), mark, "with bypass, destroy only forgets");
    }
}
