//! `keyform init`: create (or reuse) the working directory's world.

use super::CmdResult;
use crate::cli::args::InitArgs;
use crate::cli::{Ctx, Failure};

pub(crate) fn init(ctx: &Ctx, a: &InitArgs) -> CmdResult {
    if let Some(bad) = a
        .account_id
        .iter()
        .find(|id| !crate::sim::iam::valid_account_id(id))
    {
        return Err(Failure::msg(
            "Invalid -account-id",
            format!("{bad:?} is not an AWS account id: use 12 digits, like 123456789012."),
        ));
    }
    let (created, region, accounts) = crate::engine::init(&ctx.dir, &a.account_id)?;
    let others = if accounts.len() > 1 {
        format!("; accounts {}", accounts.join(", "))
    } else {
        String::new()
    };
    println!(
        "\nInitializing the backend...\n\nInitializing provider plugins...\n- hashicorp/aws is built into keyform: KMS, S3, IAM and CloudTrail are simulated locally (account {}, region {region}{others}).",
        accounts.first().map_or("", String::as_str)
    );
    if !created {
        println!(
            "- Reusing the existing simulated world in {}.",
            ctx.dir.join(crate::workspace::DIR_NAME).display()
        );
    }
    println!(
        "\n{}\n\nYou may now begin working with keyform. Try running \"keyform plan\" to see\nany changes that are required for your infrastructure.",
        ctx.style
            .green(&ctx.style.bold("keyform has been successfully initialized!"))
    );
    Ok(0)
}
