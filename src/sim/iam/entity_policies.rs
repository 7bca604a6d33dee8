//! Inline and attached managed policies of roles and groups: Put/Get/List/Delete{Role,Group}Policy
//! and Attach/Detach/ListAttached{Role,Group}Policies, one implementation for both (users keep
//! theirs in `users` and `policies`).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value as Json, json};

use super::{
    Entity, IamError, MAX_ATTACHED_PER_USER, check_identity_policy, check_name, iam_op,
    policy_chars,
};
use crate::sim::world::EntityRef;
use crate::sim::{CallContext, Cloud, SimError, policy, req_str};

/// Which kind of identity a policy operation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Holder {
    Role,
    Group,
}

impl Holder {
    fn name_param(self) -> &'static str {
        match self {
            Holder::Role => "RoleName",
            Holder::Group => "GroupName",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Holder::Role => "Role",
            Holder::Group => "Group",
        }
    }

    /// IAM's aggregate quota on one holder's inline policies (characters, whitespace not counted).
    fn inline_quota(self) -> usize {
        match self {
            Holder::Role => 10_240,
            Holder::Group => 5_120,
        }
    }

    fn no_such_policy(self, name: &str) -> IamError {
        match self {
            Holder::Role => IamError::NoSuchRolePolicy { name: name.into() },
            Holder::Group => IamError::NoSuchGroupPolicy { name: name.into() },
        }
    }

    fn kind(self) -> Entity {
        match self {
            Holder::Role => Entity::Role,
            Holder::Group => Entity::Group,
        }
    }

    fn entity(self, name: &str) -> EntityRef {
        match self {
            Holder::Role => EntityRef::Role(name.into()),
            Holder::Group => EntityRef::Group(name.into()),
        }
    }
}

impl Cloud {
    fn holder_policies(
        &mut self,
        h: Holder,
        name: &str,
    ) -> Option<(&mut BTreeMap<String, String>, &mut BTreeSet<String>)> {
        match h {
            Holder::Role => self
                .world
                .iam
                .roles
                .get_mut(name)
                .map(|r| (&mut r.inline_policies, &mut r.attached_policies)),
            Holder::Group => self
                .world
                .iam
                .groups
                .get_mut(name)
                .map(|g| (&mut g.inline_policies, &mut g.attached_policies)),
        }
    }

    pub(crate) fn put_holder_policy(
        &mut self,
        h: Holder,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let who = req_str(p, h.name_param())?.to_string();
        let pname = req_str(p, "PolicyName")?.to_string();
        let doc = req_str(p, "PolicyDocument")?.to_string();
        let op = iam_op(leak_name("Put", h, "Policy"), p, false);
        self.run(ctx, op, |c, t| {
            c.entity_prelude(
                h.kind(),
                ctx,
                t,
                &who,
                &format!("iam:Put{}Policy", h.noun()),
                &[],
            )?;
            check_name("policyName", &pname, 128)?;
            let others: usize = c.holder_policies(h, &who).map_or(0, |(i, _)| {
                i.iter()
                    .filter(|(n, _)| **n != pname)
                    .map(|(_, d)| policy_chars(d))
                    .sum()
            });
            if others + policy_chars(&doc) > h.inline_quota() {
                return Err(IamError::PolicyTooLarge.into());
            }
            check_identity_policy(&doc)?;
            if let Some((inline, _)) = c.holder_policies(h, &who) {
                inline.insert(pname, doc);
            }
            c.touch(h.entity(&who));
            Ok(json!({}))
        })
    }

    pub(crate) fn get_holder_policy(
        &mut self,
        h: Holder,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let who = req_str(p, h.name_param())?.to_string();
        let pname = req_str(p, "PolicyName")?.to_string();
        let op = iam_op(leak_name("Get", h, "Policy"), p, true);
        self.run(ctx, op, |c, t| {
            c.entity_prelude(
                h.kind(),
                ctx,
                t,
                &who,
                &format!("iam:Get{}Policy", h.noun()),
                &[],
            )?;
            let doc = c
                .holder_policies(h, &who)
                .and_then(|(i, _)| i.get(&pname).cloned())
                .ok_or_else(|| h.no_such_policy(&pname))?;
            let mut out = json!({"PolicyName": pname, "PolicyDocument": doc});
            out[h.name_param()] = json!(who);
            Ok(out)
        })
    }

    pub(crate) fn list_holder_policies(
        &mut self,
        h: Holder,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let who = req_str(p, h.name_param())?.to_string();
        let op = iam_op(leak_name("List", h, "Policies"), p, true);
        self.run(ctx, op, |c, t| {
            c.entity_prelude(
                h.kind(),
                ctx,
                t,
                &who,
                &format!("iam:List{}Policies", h.noun()),
                &[],
            )?;
            let names: Vec<String> = c
                .holder_policies(h, &who)
                .map(|(i, _)| i.keys().cloned().collect())
                .unwrap_or_default();
            Ok(json!({"PolicyNames": names, "IsTruncated": false}))
        })
    }

    pub(crate) fn delete_holder_policy(
        &mut self,
        h: Holder,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let who = req_str(p, h.name_param())?.to_string();
        let pname = req_str(p, "PolicyName")?.to_string();
        let op = iam_op(leak_name("Delete", h, "Policy"), p, false);
        self.run(ctx, op, |c, t| {
            c.entity_prelude(
                h.kind(),
                ctx,
                t,
                &who,
                &format!("iam:Delete{}Policy", h.noun()),
                &[],
            )?;
            let removed = c
                .holder_policies(h, &who)
                .and_then(|(i, _)| i.remove(&pname));
            if removed.is_none() {
                return Err(h.no_such_policy(&pname).into());
            }
            c.touch(h.entity(&who));
            Ok(json!({}))
        })
    }

    pub(crate) fn attach_holder_policy(
        &mut self,
        h: Holder,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let who = req_str(p, h.name_param())?.to_string();
        let arn = req_str(p, "PolicyArn")?.to_string();
        let op = iam_op(leak_name("Attach", h, "Policy"), p, false);
        self.run(ctx, op, |c, t| {
            let conds = [("iam:PolicyARN".to_string(), arn.clone())];
            let action = format!("iam:Attach{}Policy", h.noun());
            c.entity_prelude(h.kind(), ctx, t, &who, &action, &conds)?;
            if !arn.starts_with("arn:aws:iam::") {
                return Err(IamError::InvalidArn { arn: arn.clone() }.into());
            }
            if policy::managed_policy(&arn).is_none() && !c.world.iam.policies.contains_key(&arn) {
                return Err(IamError::NoSuchPolicy { arn: arn.clone() }.into());
            }
            let quota = match h {
                Holder::Role => "PoliciesPerRole",
                Holder::Group => "PoliciesPerGroup",
            };
            if let Some((_, attached)) = c.holder_policies(h, &who) {
                if !attached.contains(&arn) && attached.len() >= MAX_ATTACHED_PER_USER {
                    return Err(IamError::TooManyAttached { quota }.into());
                }
                attached.insert(arn);
            }
            c.touch(h.entity(&who));
            Ok(json!({}))
        })
    }

    pub(crate) fn detach_holder_policy(
        &mut self,
        h: Holder,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let who = req_str(p, h.name_param())?.to_string();
        let arn = req_str(p, "PolicyArn")?.to_string();
        let op = iam_op(leak_name("Detach", h, "Policy"), p, false);
        self.run(ctx, op, |c, t| {
            let conds = [("iam:PolicyARN".to_string(), arn.clone())];
            let action = format!("iam:Detach{}Policy", h.noun());
            c.entity_prelude(h.kind(), ctx, t, &who, &action, &conds)?;
            let removed = c
                .holder_policies(h, &who)
                .is_some_and(|(_, a)| a.remove(&arn));
            if !removed {
                return Err(IamError::PolicyNotAttached { arn: arn.clone() }.into());
            }
            c.touch(h.entity(&who));
            Ok(json!({}))
        })
    }

    pub(crate) fn list_attached_holder_policies(
        &mut self,
        h: Holder,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let who = req_str(p, h.name_param())?.to_string();
        let op = iam_op(leak_name("ListAttached", h, "Policies"), p, true);
        self.run(ctx, op, |c, t| {
            let action = format!("iam:ListAttached{}Policies", h.noun());
            c.entity_prelude(h.kind(), ctx, t, &who, &action, &[])?;
            let list: Vec<Json> = c
                .holder_policies(h, &who)
                .map(|(_, a)| {
                    a.iter()
                        .map(|a| json!({"PolicyName": a.rsplit('/').next().unwrap_or(a), "PolicyArn": a}))
                        .collect()
                })
                .unwrap_or_default();
            Ok(json!({"AttachedPolicies": list, "IsTruncated": false}))
        })
    }
}

/// The CloudTrail event name of an operation (`PutRolePolicy`): names are few and fixed.
fn leak_name(verb: &str, h: Holder, tail: &str) -> &'static str {
    const NAMES: &[&str] = &[
        "PutRolePolicy",
        "GetRolePolicy",
        "ListRolePolicies",
        "DeleteRolePolicy",
        "AttachRolePolicy",
        "DetachRolePolicy",
        "ListAttachedRolePolicies",
        "PutGroupPolicy",
        "GetGroupPolicy",
        "ListGroupPolicies",
        "DeleteGroupPolicy",
        "AttachGroupPolicy",
        "DetachGroupPolicy",
        "ListAttachedGroupPolicies",
    ];
    let want = format!("{verb}{}{tail}", h.noun());
    NAMES
        .iter()
        .copied()
        .find(|n| *n == want)
        .unwrap_or("Unknown")
}

/// The handlers the operation table names (a table row holds a plain `fn`), one per operation.
macro_rules! holder_handlers {
    ($($name:ident => $imp:ident($h:ident);)*) => {
        impl Cloud {
            $(
                pub fn $name(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
                    self.$imp(Holder::$h, ctx, p)
                }
            )*
        }
    };
}

holder_handlers! {
    iam_put_role_policy => put_holder_policy(Role);
    iam_get_role_policy => get_holder_policy(Role);
    iam_list_role_policies => list_holder_policies(Role);
    iam_delete_role_policy => delete_holder_policy(Role);
    iam_attach_role_policy => attach_holder_policy(Role);
    iam_detach_role_policy => detach_holder_policy(Role);
    iam_list_attached_role_policies => list_attached_holder_policies(Role);
    iam_put_group_policy => put_holder_policy(Group);
    iam_get_group_policy => get_holder_policy(Group);
    iam_list_group_policies => list_holder_policies(Group);
    iam_delete_group_policy => delete_holder_policy(Group);
    iam_attach_group_policy => attach_holder_policy(Group);
    iam_detach_group_policy => detach_holder_policy(Group);
    iam_list_attached_group_policies => list_attached_holder_policies(Group);
}
