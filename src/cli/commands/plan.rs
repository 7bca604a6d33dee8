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
    let generated = match &a.generate_config_out {
        Some(out) => Some((
            out,
            engine::generate_config(&ctx.dir, &ctx.vars, &mut p, &rel(ctx, out))?,
        )),
        None => None,
    };
    let l = &p.loaded;
    engine::check_targets(l.module(), &opts, &p.state)?;
    let mut planned = engine::plan(l.module(), &p.state, &mut p.cloud, &opts)
        .map_err(|d| Failure::new(d, Some(l.cfg.sources.clone())))?;
    if let Some((_, addrs)) = &generated
        && !addrs.is_empty()
    {
        planned.generated = addrs.clone();
        planned.warnings.push(crate::diag::Diagnostic::warning(
            "Config generation is experimental",
            "Generating configuration during import is currently experimental, and the generated configuration format may change in future versions.",
        ));
    }
    if a.json {
        for line in render::json::plan_ui_lines(&planned) {
            println!("{line}");
        }
    } else {
        // As Terraform shows them: the plan first, then what it warns of.
        print_warnings(ctx, &l.warnings, &l.cfg.sources);
        print_plan(ctx, &planned);
        print_warnings(ctx, &planned.warnings, &l.cfg.sources);
    }
    let wrote = generated
        .as_ref()
        .filter(|(_, addrs)| !addrs.is_empty() && !a.json);
    if let Some((out, _)) = wrote {
        println!(
            "\n{}\n\nkeyform has generated configuration and written it to {}. Please review\nthe configuration and edit it as necessary before adding it to version\ncontrol.",
            "─".repeat(77),
            out.display()
        );
    }
    // One rule between the plan and what follows it.
    let rule = if wrote.is_some() {
        String::new()
    } else {
        format!("\n{}\n", "─".repeat(77))
    };
    if let Some(out) = &a.out {
        engine::save_plan(&rel(ctx, out), &planned)?;
        if !a.json {
            println!(
                "{rule}\nSaved the plan to: {}\n\nTo perform exactly these actions, run the following command to apply:\n    keyform apply {:?}",
                out.display(),
                out.display().to_string()
            );
        }
    } else if !a.json && planned.has_changes() {
        println!(
            "{rule}\nNote: You didn't use the -out option to save this plan, so keyform can't\nguarantee to take exactly these actions if you run \"keyform apply\" now."
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
