//! The seam between a provider and its resource types: one [`Resource`] (or [`DataSource`])
//! value per type, listed once in the provider's registry (`aws::registry`).
//!
//! A provider dispatches every [`Provider`](super::Provider) call by type name to the registered
//! value and does the type-independent work itself: the unknown-type error, the generic plan
//! rules (equivalent JSON is no change, `tags_all`), completing every returned map so it holds
//! the whole schema, and the crash-test hook after each cloud-changing call. The type itself
//! holds only what is particular to it: its schema and how its CRUD maps onto cloud operations.
//!
//! `P` is the provider's own state (for AWS, `AwsProvider`: the cloud, the caller, the
//! configuration directory). Read-only methods get `&P`, so they cannot call an operation.
//!
//! # What every method may assume
//! - Maps (`prior`, `planned`, `config`) hold every attribute and nested block of the schema:
//!   null where unset, nested blocks as lists of objects, sets sorted and deduplicated.
//!   In `planned`, attributes the cloud computes may still be unknown ("known after apply"),
//!   including at `create` and `update`; a state map (`prior`) holds no unknown.
//! - The engine has already checked the configuration against [`Resource::schema`] (types,
//!   required, conflicts, validators) and applied its defaults.
//! - A returned map need not be complete: the provider fills missing attributes with null (and
//!   missing blocks with `[]`) before handing it to the engine.

use super::{PlanAdjustments, ProviderError};
use crate::schema::ResourceSchema;
use crate::value::{Map, Value};

/// One managed resource type (`resource "aws_kms_key" ...`).
pub trait Resource<P: ?Sized>: Sync {
    /// The type's schema; its `kind` is the name the registry finds it by. Called once, when
    /// the registry is first used; the provider keeps the result for the life of the process.
    fn schema(&self) -> ResourceSchema;

    /// Terraform's name of the type in messages: `"KMS Key"` in `creating KMS Key (id): ...`.
    fn noun(&self) -> &'static str;

    /// Reads the resource back from the cloud (refresh, and after every write); `None` if it no
    /// longer exists. Looks at the world directly and calls no operation, so a refresh records
    /// no CloudTrail event and changes nothing. `prior` is the last known state (or, after a
    /// write, the planned value with the cloud's id): state-only arguments are carried from it,
    /// and equivalent spellings (policy JSON, key id vs ARN) keep its form.
    fn read(&self, p: &P, prior: &Map) -> Option<Map>;

    /// Type-specific plan rules, applied after the engine merged config into prior state and
    /// after the provider's generic rules. `prior` is `None` on create. May rewrite `planned`
    /// (an attribute becomes unknown, a spelling is kept) and return warnings or extra
    /// replace-triggers. A replacement is planned as a create (`prior` is `None` again). Plans
    /// call no operation. Default: no rules.
    fn plan(
        &self,
        _p: &P,
        _prior: Option<&Map>,
        _planned: &mut Map,
    ) -> Result<PlanAdjustments, ProviderError> {
        Ok(PlanAdjustments::default())
    }

    /// Creates the resource as planned and returns its state (usually [`Resource::read_back`]).
    /// A create that fails after the object exists should let the provider know what exists
    /// (for AWS, `AwsProvider::created`), so the engine keeps it as tainted.
    fn create(&self, p: &mut P, planned: &Map) -> Result<Map, ProviderError>;

    /// Changes the resource in place (the plan found no replace-forcing change) and returns its
    /// state. Default, for types whose in-place changes are all state-only (tags the simulated
    /// cloud has no API for, `force_destroy`): no call, then the common read-back under the
    /// prior `id`.
    fn update(&self, p: &mut P, prior: &Map, planned: &Map) -> Result<Map, ProviderError> {
        let mut seed = planned.clone();
        let id = prior.get("id").cloned().unwrap_or(Value::Null);
        let shown = id.as_str().unwrap_or_default().to_string();
        seed.insert("id".into(), id);
        self.read_back(p, "updating", &shown, &seed)
    }

    /// The prior-state seed that [`Resource::read`] reads an existing object from, given its
    /// Terraform import id (`import { id = ... }`): by default `{ id = <import id> }`. Types
    /// whose import id is made of parts (`user/policy-arn`) spell them out. `None`: the id is
    /// not in the form the type's import expects.
    fn import_seed(&self, id: &str) -> Option<Map> {
        let mut m = Map::new();
        m.insert("id".into(), Value::string(id));
        Some(m)
    }

    /// Destroys the resource. Something already gone counts as destroyed.
    fn delete(&self, p: &mut P, prior: &Map) -> Result<(), ProviderError>;

    /// Words for the plan describing what destroying does, when it is not plain deletion
    /// (KMS keys are only scheduled). Default: none.
    fn destroy_note(&self, _prior: &Map) -> Option<String> {
        None
    }

    /// The common read-back after a write: [`Resource::read`] with `seed` (the planned value
    /// with the cloud's id), failing as `<doing> <noun> (<id>): not found ...` if the object
    /// vanished.
    fn read_back(&self, p: &P, doing: &str, id: &str, seed: &Map) -> Result<Map, ProviderError> {
        self.read(p, seed)
            .ok_or_else(|| ProviderError::gone_after(doing, &format!("{} ({id})", self.noun())))
    }
}

/// One data source type (`data "aws_caller_identity" ...`).
pub trait DataSource<P: ?Sized>: Sync {
    /// As [`Resource::schema`].
    fn schema(&self) -> ResourceSchema;

    /// Reads the data source with its evaluated configuration. The engine defers a read whose
    /// configuration is unknown, but an unknown nested input must still make the outputs that
    /// depend on it unknown rather than fail. Calls no operation and records nothing.
    fn read(&self, p: &P, config: &Map) -> Result<Map, ProviderError>;
}
