//! CloudTrail log file delivery: at the end of each command or clock step, each logging trail
//! writes the events its selectors select, gzipped JSON, into its bucket as CloudTrail itself
//! (so the bucket policy and default encryption apply). Deliveries never trigger deliveries.
//!
//! Which events a trail selects is `selectors`'; storing the file is S3's.

use std::io::Write;

use serde_json::{Value as Json, json};

use super::SERVICE;
use super::selectors::selected;
use crate::sim::Cloud;
use crate::sim::clock::trail_path_parts;
use crate::sim::world::{DigestLog, EntityRef};

impl Cloud {
    /// Delivers every logging trail's pending events as one gzipped log file each.
    /// Events caused by the deliveries themselves are never delivered.
    pub fn deliver_trails(&mut self) -> Vec<String> {
        // Each account's trails deliver that account's events.
        let home = self.world.account_id.clone();
        let mut delivered = Vec::new();
        for account in self.world.account_ids() {
            self.world.enter(&account);
            delivered.extend(self.deliver_trails_in_scope());
        }
        self.world.enter(&home);
        delivered
    }

    /// [`Cloud::deliver_trails`] for the account in scope.
    fn deliver_trails_in_scope(&mut self) -> Vec<String> {
        let names: Vec<String> = self
            .world
            .cloudtrail
            .trails
            .iter()
            .filter(|(_, t)| t.is_logging)
            .map(|(n, _)| n.clone())
            .collect();
        let mut delivered = Vec::new();
        let upto = self.world.cloudtrail.events.len();
        for name in names {
            let Some(trail) = self.world.cloudtrail.trails.get(&name).cloned() else {
                continue;
            };
            let from = trail.delivered_upto.min(upto);
            let records: Vec<Json> = self.world.cloudtrail.events[from..upto]
                .iter()
                .map(crate::sim::world::TrailEvent::json)
                .filter(|e| super::lookup::in_account(e, &self.world.account_id))
                .filter(|e| selected(&trail, e))
                .collect();
            if let Some(t) = self.world.cloudtrail.trails.get_mut(&name) {
                t.delivered_upto = upto;
            }
            self.touch(EntityRef::Trail(name.clone()));
            if records.is_empty() {
                continue;
            }
            let (day, stamp) = trail_path_parts(self.world.now);
            let suffix = self.world.ids.chars(
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
                16,
            );
            let acct = self.world.account_id.clone();
            let region = self.world.region.clone();
            let prefix = trail
                .s3_key_prefix
                .as_deref()
                .map(|p| format!("{p}/"))
                .unwrap_or_default();
            let key = format!(
                "{prefix}AWSLogs/{acct}/CloudTrail/{region}/{day}/{acct}_CloudTrail_{region}_{stamp}_{suffix}.json.gz"
            );
            let (oldest_event, newest_event) = super::digest::event_span(&records);
            let body = json!({"Records": records}).to_string();
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            if gz.write_all(body.as_bytes()).is_err() {
                continue;
            }
            let Ok(bytes) = gz.finish() else { continue };
            let conds = vec![
                ("aws:SourceArn".to_string(), trail.arn.clone()),
                ("aws:SourceAccount".to_string(), acct.clone()),
                (
                    "s3:x-amz-acl".to_string(),
                    "bucket-owner-full-control".to_string(),
                ),
            ];
            if self
                .s3_put_as_service(SERVICE, &trail.s3_bucket_name, &key, &bytes, &conds)
                .is_ok()
            {
                delivered.push(format!("s3://{}/{key}", trail.s3_bucket_name));
                self.note_log_for_digest(
                    &name,
                    DigestLog {
                        bucket: trail.s3_bucket_name.clone(),
                        key: key.clone(),
                        sha256: hex::encode(crate::sim::crypto::sha256(body.as_bytes())),
                        oldest_event,
                        newest_event,
                    },
                );
                let now = self.world.now;
                if let Some(t) = self.world.cloudtrail.trails.get_mut(&name) {
                    t.latest_delivery = Some(now);
                }
            }
        }
        delivered.extend(self.deliver_digests());
        // Deliveries record events of their own; they are not delivered.
        let after = self.world.cloudtrail.events.len();
        for t in self.world.cloudtrail.trails.values_mut() {
            if t.is_logging {
                t.delivered_upto = after;
            }
        }
        delivered
    }
}
