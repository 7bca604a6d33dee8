//! KMS key rotation: automatic rotation (Enable/DisableKeyRotation, GetKeyRotationStatus, and
//! the rotation itself when it falls due), RotateKeyOnDemand and ListKeyRotations. A rotation
//! adds a key material version; old versions stay to decrypt what they encrypted.
//!
//! Generating and wrapping material is the parent module's (`new_material`).

use serde_json::{Value as Json, json};

use super::{IdForms, KmsError, MAX_ON_DEMAND_ROTATIONS, kms_op};
use crate::sim::clock::{DAY, iso8601};
use crate::sim::world::{RotationRecord, RotationSchedule};
use crate::sim::{CallContext, Cloud, SimError, opt_int, opt_str, req_str};

impl Cloud {
    pub fn kms_enable_key_rotation(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let given = req_str(p, "KeyId")?.to_string();
        let period = opt_int(p, "RotationPeriodInDays")?;
        self.run(ctx, kms_op("EnableKeyRotation", p, false), |c, t| {
            let id = c.kms_prelude(
                ctx,
                t,
                &given,
                IdForms::KeyOnly,
                "kms:EnableKeyRotation",
                &[],
            )?;
            let days = period.unwrap_or(365);
            if !(90..=2560).contains(&days) {
                return Err(KmsError::OutOfRange {
                    member: "rotationPeriodInDays",
                    value: days,
                    min: 90,
                    max: 2560,
                }
                .into());
            }
            c.require_usable(&id)?;
            c.require_rotatable(&id)?;
            let now = c.world.now;
            let k = c.key_mut(&id)?;
            k.rotation = Some(RotationSchedule {
                period_days: days as u32,
                next: now + days * DAY,
            });
            Ok(json!({}))
        })
    }

    pub fn kms_disable_key_rotation(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let given = req_str(p, "KeyId")?.to_string();
        self.run(ctx, kms_op("DisableKeyRotation", p, false), |c, t| {
            let id = c.kms_prelude(
                ctx,
                t,
                &given,
                IdForms::KeyOnly,
                "kms:DisableKeyRotation",
                &[],
            )?;
            c.require_usable(&id)?;
            c.require_rotatable(&id)?;
            c.key_mut(&id)?.rotation = None;
            Ok(json!({}))
        })
    }

    pub fn kms_get_key_rotation_status(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let given = req_str(p, "KeyId")?.to_string();
        self.run(ctx, kms_op("GetKeyRotationStatus", p, true), |c, t| {
            let id = c.kms_prelude(
                ctx,
                t,
                &given,
                IdForms::KeyOnly,
                "kms:GetKeyRotationStatus",
                &[],
            )?;
            let k = c.key(&id)?;
            let mut out = json!({"KeyRotationEnabled": k.rotation.is_some(), "KeyId": k.arn});
            if let Some(r) = k.rotation {
                out["RotationPeriodInDays"] = json!(r.period_days);
                out["NextRotationDate"] = json!(iso8601(r.next));
            }
            Ok(out)
        })
    }

    pub fn kms_rotate_key_on_demand(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let given = req_str(p, "KeyId")?.to_string();
        self.run(ctx, kms_op("RotateKeyOnDemand", p, false), |c, t| {
            let id = c.kms_prelude(
                ctx,
                t,
                &given,
                IdForms::KeyOnly,
                "kms:RotateKeyOnDemand",
                &[],
            )?;
            c.require_usable(&id)?;
            c.require_rotatable(&id)?;
            let k = c.key(&id)?;
            if k.rotations.iter().filter(|r| r.kind == "ON_DEMAND").count()
                >= MAX_ON_DEMAND_ROTATIONS
            {
                return Err(KmsError::TooManyRotations { arn: k.arn.clone() }.into());
            }
            c.rotate(&id, "ON_DEMAND")?;
            let arn = c.key_arn(&id);
            Ok(json!({"KeyId": arn}))
        })
    }

    fn rotate(&mut self, id: &str, kind: &str) -> Result<(), KmsError> {
        let version = self.key(id)?.current_version() + 1;
        let m = self.new_material(id, version)?;
        let now = self.world.now;
        let k = self.key_mut(id)?;
        k.materials.push(m);
        k.rotations.push(RotationRecord {
            date: now,
            kind: kind.to_string(),
            version,
        });
        Ok(())
    }

    pub fn kms_list_key_rotations(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let given = req_str(p, "KeyId")?.to_string();
        let all_material = match opt_str(p, "IncludeKeyMaterial")? {
            None | Some("ROTATIONS_ONLY") => false,
            Some("ALL_KEY_MATERIAL") => true,
            Some(other) => {
                return Err(KmsError::NotInEnum {
                    member: "includeKeyMaterial",
                    value: other.into(),
                    allowed: &["ALL_KEY_MATERIAL", "ROTATIONS_ONLY"],
                }
                .into());
            }
        };
        self.run(ctx, kms_op("ListKeyRotations", p, true), |c, t| {
            let id = c.kms_prelude(ctx, t, &given, IdForms::KeyOnly, "kms:ListKeyRotations", &[])?;
            let k = c.key(&id)?;
            let mut rotations: Vec<Json> = Vec::new();
            if all_material {
                // The first key material: no RotationDate, as AWS lists it.
                let state = if k.rotations.is_empty() { "CURRENT" } else { "NON_CURRENT" };
                rotations.push(json!({"KeyId": k.arn, "KeyMaterialState": state}));
            }
            let last = k.rotations.len().saturating_sub(1);
            rotations.extend(k.rotations.iter().enumerate().map(|(i, r)| {
                let mut e = json!({"KeyId": k.arn, "RotationDate": iso8601(r.date), "RotationType": r.kind});
                if all_material {
                    e["KeyMaterialState"] = json!(if i == last { "CURRENT" } else { "NON_CURRENT" });
                }
                e
            }));
            Ok(json!({"Rotations": rotations, "Truncated": false}))
        })
    }

    /// Runs an automatic rotation that fell due and schedules the next one a period later.
    pub(super) fn run_automatic_rotation(
        &mut self,
        id: &str,
        r: RotationSchedule,
    ) -> Option<String> {
        let arn = self.world.kms.keys.get(id)?.arn.clone();
        let next = r.next + i64::from(r.period_days) * DAY;
        if self.rotate(id, "AUTOMATIC").is_err() {
            return None;
        }
        if let Some(k) = self.world.kms.keys.get_mut(id)
            && let Some(rs) = &mut k.rotation
        {
            rs.next = next;
        }
        self.record_service_event("RotateKey", &arn);
        Some(format!("rotated key {arn} (automatic)"))
    }
}
