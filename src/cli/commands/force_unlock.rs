//! `keyform force-unlock`: release a lock whose holder no longer runs.

use super::CmdResult;
use crate::cli::args::ForceUnlockArgs;
use crate::cli::{Ctx, Failure};
use crate::workspace::{Unlocked, Workspace};

pub(crate) fn force_unlock(ctx: &Ctx, a: &ForceUnlockArgs) -> CmdResult {
    let ws = Workspace::at(&ctx.dir);
    match ws.force_unlock(a.lock_id.as_deref()) {
        Ok(Unlocked::NothingHeld) => {
            println!("No lock is held on {}.", ws.dir.display());
            Ok(0)
        }
        Ok(Unlocked::Released(holder)) => {
            println!(
                "keyform state has been successfully unlocked!\n\nThe lock left by {holder} has been removed. Run keyform plan to see what that command left to do."
            );
            Ok(0)
        }
        Err(e) => Err(Failure::msg("Failed to unlock state", e.to_string())),
    }
}
