//! `keyform sim explain`: how the simulated cloud would authorize a call, statement by
//! statement, without making it.

use super::params::parse_params;
use super::{SimResult, open_world, resolve_op, service_prefix, usage};
use crate::cli::Ctx;
use crate::sim::authz::Explanation;

pub(super) fn explain(ctx: &Ctx, args: &[String]) -> SimResult {
    let (Some(svc), Some(op_word)) = (args.first(), args.get(1)) else {
        return Err(usage(
            "explain needs the same arguments as the call: keyform sim explain s3api get-object --bucket B --key K --as USER",
        ));
    };
    let prefix = service_prefix(svc).ok_or_else(|| usage(format!("unknown service {svc:?}")))?;
    let op = resolve_op(prefix, op_word)?;
    let super::params::Parsed {
        params,
        body,
        mut caller,
        output,
        ..
    } = parse_params(&args[2..], &ctx.dir, op)?;
    let (_ws, mut cloud) = open_world(ctx)?;
    caller.check(&mut cloud)?;
    output.check_region(&cloud)?;
    let (result, explanations) = cloud.explain_call(&caller.ctx, op, &params, body.as_deref());
    let color = ctx.style;
    for e in &explanations {
        print!("{}", render_explanation(e, color));
    }
    match result {
        Ok(_) => println!("\nResult: the call would succeed."),
        Err(e) => println!(
            "\nResult: the call would fail with {}: {}",
            e.code, e.message
        ),
    }
    Ok(0)
}

fn render_explanation(e: &Explanation, style: crate::cli::render::Style) -> String {
    let mut out = String::new();
    let who = match &e.request.caller {
        crate::sim::policy::Caller::Principal { arn, .. } => arn.clone(),
        crate::sim::policy::Caller::Anonymous => "anonymous".into(),
        crate::sim::policy::Caller::Service(s) => s.clone(),
    };
    out.push_str(&format!(
        "\n{} {} on {}\n  caller: {who}\n",
        style.bold("Request:"),
        e.request.action,
        e.request.resource
    ));
    for (k, v) in &e.request.conditions {
        out.push_str(&format!("  context {k} = {}\n", v.join(", ")));
    }
    if e.traces.is_empty() {
        out.push_str("  (no policy statement applies)\n");
    }
    for t in &e.traces {
        let mark = if t.matched {
            style.green("match")
        } else {
            "no match".to_string()
        };
        out.push_str(&format!("  [{mark}] {t}\n"));
    }
    let decision = if e.decision.is_allowed() {
        style.green("ALLOW")
    } else {
        style.red("DENY")
    };
    out.push_str(&format!("  decision: {decision}"));
    if !e.decision.is_allowed() {
        out.push_str(&format!(" ({})", e.message));
    }
    out.push('\n');
    out
}
