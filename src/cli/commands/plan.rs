//! `keyform plan`: show what apply would do, optionally saving the plan (`-out`).

use super::{CmdResult, leave_to_exit, lock_request, print_plan, print_warnings, rel};
use crate::addr::TargetAddr;
use crate::cli::args::{PlanArgs, PlanFlags};
use crate::cli::render;
use crate::cli::{Ctx, Failure};
use crate::engine;
use crate::plan::{PlanMode, PlanOptions};

/// The plan options the flags ask for (`-target`, `-replace`, `-refresh`).
pub(super) fn plan_options(flags: &PlanFlags, destroy: bool) -> Result<PlanOptions, Failure> {
    let parse_addrs = |v: &[String], flag: &str| -> Result<Vec<TargetAddr>, Failure> {
        v.iter()
            .map(|s| {
                s.parse::<TargetAddr>().map_err(|e| {
                    Failure::msg(
                        &format!("Invalid {flag} address"),
                        format!(
                            "{e}. Use an address like aws_kms_key.lab or aws_iam_user.u[\"bob\"]."
                        ),
                    )
                    .with_subject(format!("-{flag}={s}"))
                })
            })
            .collect()
    };
    Ok(PlanOptions {
        mode: if destroy {
            PlanMode::Destroy
        } else {
            PlanMode::Normal
        },
        refresh: flags.refresh,
        targets: parse_addrs(&flags.targets, "target")?,
        replace: parse_addrs(&flags.replace, "replace")?,
    })
}

pub(crate) fn plan(ctx: &Ctx, a: &PlanArgs) -> CmdResult {
    let opts = plan_options(&a.flags, a.destroy)?;
    let lock = lock_request(&a.flags, "plan")?;
    let mut p = engine::prepare(&ctx.dir, &ctx.vars, lock)?;
    print_warnings(ctx, &p.notices, &p.loaded.cfg.sources);
    let l = &p.loaded;
    engine::check_targets(l.module(), &opts, &p.state)?;
    let planned = engine::plan(l.module(), &p.state, &mut p.cloud, &opts)
        .map_err(|d| Failure::new(d, Some(l.cfg.sources.clone())))?;
    if a.json {
        for line in render::json::plan_ui_lines(&planned) {
            println!("{line}");
        }
    } else {
        print_warnings(ctx, &l.warnings, &l.cfg.sources);
        print_warnings(ctx, &planned.warnings, &l.cfg.sources);
        print_plan(ctx, &planned);
    }
    if let Some(out) = &a.out {
        engine::save_plan(&rel(ctx, out), &planned)?;
        if !a.json {
            println!(
                "\n{}\n\nSaved the plan to: {}\n\nTo perform exactly these actions, run the following command to apply:\n    keyform apply {:?}",
                "─".repeat(77),
                out.display(),
                out.display().to_string()
            );
        }
    } else if !a.json && planned.has_changes() {
        println!(
            "\n{}\n\nNote: You didn't use the -out option to save this plan, so keyform can't\nguarantee to take exactly these actions if you run \"keyform apply\" now.",
            "─".repeat(77)
        );
    }
    let code = if a.detailed_exitcode && planned.has_changes() {
        2
    } else {
        0
    };
    leave_to_exit((p.loaded, planned, p.state));
    Ok(code)
}
