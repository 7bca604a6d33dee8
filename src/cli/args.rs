//! Command-line syntax (clap derive only). Terraform users type single-dash long flags
//! (`-auto-approve`); [`normalize`] rewrites the known ones to `--` before clap parses.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{ArgAction, ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::config::inputs::VarArg;

#[derive(Debug, Parser)]
#[command(
    name = "keyform",
    version,
    about = "A Terraform-style lab provisioner with a simulated AWS KMS/S3/IAM/CloudTrail built in",
    long_about = "keyform reads Terraform AWS-provider HCL, plans and applies it against a built-in simulated cloud with real cryptography, real policy evaluation and a simulated clock, and grades labs.",
    after_help = "Examples:\n  keyform -chdir=labs/aerosecure-sse-kms plan\n  keyform apply -auto-approve\n  keyform sim s3api get-object --bucket B --key K out.txt --as S3-Admin-User",
    disable_help_subcommand = true
)]
pub struct Cli {
    /// Switch to DIR before doing anything else (relative paths given later are relative to DIR).
    #[arg(long = "chdir", value_name = "DIR", global = false)]
    pub chdir: Option<PathBuf>,

    /// Disable colour in the output.
    #[arg(long = "no-color", global = true)]
    pub no_color: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Prepare the working directory: create .keyform/ with an empty state and a fresh simulated world.
    #[command(
        after_help = "Example:\n  keyform init\n  keyform init -account-id=111122223333\n  keyform init -account-id=111122223333,222233334444"
    )]
    Init(InitArgs),
    /// Check the configuration without touching state or the simulated cloud.
    #[command(after_help = "Example:\n  keyform validate")]
    Validate(ValidateArgs),
    /// Rewrite configuration files to the canonical format (byte-identical to terraform fmt).
    #[command(after_help = "Example:\n  keyform fmt -check -recursive")]
    Fmt(FmtArgs),
    /// Show the changes apply would make.
    #[command(
        after_help = "Examples:\n  keyform plan\n  keyform plan -out=tfplan -var bucket_name=my-bucket\n  keyform plan -detailed-exitcode   # exit 0 no changes, 2 changes, 1 error"
    )]
    Plan(PlanArgs),
    /// Create or update the infrastructure in the simulated cloud.
    #[command(after_help = "Examples:\n  keyform apply -auto-approve\n  keyform apply tfplan")]
    Apply(ApplyArgs),
    /// Destroy everything this configuration manages (KMS keys are scheduled for deletion).
    #[command(after_help = "Example:\n  keyform destroy -auto-approve")]
    Destroy(DestroyArgs),
    /// Show the current state or a saved plan.
    #[command(after_help = "Examples:\n  keyform show\n  keyform show -json tfplan")]
    Show(ShowArgs),
    /// Update the state from the simulated cloud, showing what changed outside keyform (never changes the cloud).
    #[command(
        after_help = "Examples:\n  keyform refresh\n  keyform refresh -target=aws_kms_key.lab\n\nAs Terraform's refresh (apply -refresh-only -auto-approve): reads every resource back, saves\nwhat it found and the outputs in the state. It changes nothing in the simulated cloud and\nrecords nothing in CloudTrail."
    )]
    Refresh(RefreshArgs),
    /// Inspect or edit the state.
    #[command(
        subcommand,
        after_help = "Examples:\n  keyform state list\n  keyform state show aws_kms_key.lab\n  keyform state rm aws_iam_user.old"
    )]
    State(StateCommand),
    /// Show output values.
    #[command(after_help = "Examples:\n  keyform output\n  keyform output -raw bucket_name")]
    Output(OutputArgs),
    /// Print the dependency graph in DOT format.
    #[command(after_help = "Example:\n  keyform graph | dot -Tsvg > graph.svg")]
    Graph(GraphArgs),
    /// Release a lock left behind by a process that no longer runs.
    #[command(name = "force-unlock", after_help = "Example:\n  keyform force-unlock")]
    ForceUnlock(ForceUnlockArgs),
    /// Run the *.tftest.hcl tests against the configuration, each file in a fresh in-memory world.
    #[command(
        after_help = "Examples:\n  keyform test\n  keyform test -verbose -junit-xml=report.xml\n  keyform -chdir=student test -test-directory=../labs/aerosecure-sse-kms/tests\n\nExit status: 0 when every run passed, 1 otherwise."
    )]
    Test(TestArgs),
    /// Grade every submission directory with a lab's tests: a gradebook, a class summary, an HTML report and JUnit reports.
    #[command(
        args_conflicts_with_subcommands = true,
        subcommand_negates_reqs = true,
        after_help = "Examples:\n  keyform grade -lab=labs/aerosecure-sse-kms -out=grades submissions/\n  keyform grade -lab=aerosecure-sse-kms -shard=2/4 -out=grades-2 submissions/\n  keyform grade merge -out=grades -fail-under=60 grades-1 grades-2 grades-3 grades-4\n\nEach immediate subdirectory of SUBMISSIONS_DIR is graded with LAB/tests in its own process,\nwithin -timeout. OUT/gradebook.csv has a status (graded, no configuration, configuration error,\nnested solution directory, timed out, could not run), the score and every check's result;\nOUT/summary.csv and OUT/report.html show per check how many passed; OUT/<submission>.xml is\nits JUnit report; OUT/gradebook.json is what `grade merge` reads.\n\nExit status: 0, or 1 when a submission scores under -fail-under percent."
    )]
    Grade(GradeArgs),
    /// Call the simulated cloud like the AWS CLI: keyform sim kms encrypt --key-id K --plaintext T.
    #[command(
        disable_help_flag = true,
        after_help = "Examples:\n  keyform sim kms list-aliases\n  keyform sim s3api get-object --bucket B --key K out.txt --as S3-Admin-User\n  keyform sim clock advance 8d\n  keyform sim explain s3api get-object --bucket B --key K --as S3-Admin-User"
    )]
    Sim {
        /// Service, operation and AWS-CLI-style parameters (see keyform sim help).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Serve the working directory's simulated cloud on the AWS wire protocols (boto3, the AWS CLI, SDKs, Terraform).
    #[command(
        after_help = "Examples:\n  keyform -chdir=labs/kms-access-control serve\n  keyform serve -port=0 -ready-file=addr.txt\n  keyform serve -auth=lenient        # unknown access keys act as lab-admin (moto's tests)\n\nControl endpoints: POST /_keyform/reset, POST /_keyform/clock/advance?by=8d, GET /_keyform/clock"
    )]
    Serve(ServeArgs),
    /// Open the web console on the working directory's simulated cloud (loopback only; prints the URL).
    #[command(
        after_help = "Examples:\n  keyform -chdir=labs/aerosecure-sse-kms console\n  keyform console -port=0 -ready-file=addr.txt\n\nSign in with the account id, an IAM user name and its console password (aws_iam_user_login_profile,\nor keyform sim iam create-login-profile). lab-admin's password is printed when it is first set.\nThe AWS wire protocols are served on the same port, as by keyform serve."
    )]
    Console(ConsoleArgs),
    /// List, show, start, create and check labs.
    #[command(
        subcommand,
        after_help = "Examples:\n  keyform lab list\n  keyform lab start kms-access-control my-lab\n  keyform lab new my-kms-lab && keyform lab check my-kms-lab"
    )]
    Lab(LabCommand),
    /// Print the version.
    #[command(after_help = "Example:\n  keyform version")]
    Version,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The simulated account's id; more ids (comma-separated or repeated) add accounts, each
    /// with an OrganizationAccountAccessRole the first account's administrators may assume.
    #[arg(long = "account-id", default_value = "123456789012", value_delimiter = ',', action = ArgAction::Append)]
    pub account_id: Vec<String>,
    /// Ask for input if necessary (accepted for Terraform compatibility).
    #[arg(long, default_value_t = true, action = ArgAction::Set)]
    pub input: bool,
    /// Accepted for Terraform compatibility: there is nothing to upgrade.
    #[arg(long)]
    pub upgrade: bool,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Produce output in a machine-readable JSON format.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Check if the input is formatted; exit 3 if not. Files are not changed.
    #[arg(long)]
    pub check: bool,
    /// Also process files in subdirectories.
    #[arg(long)]
    pub recursive: bool,
    /// Display diffs of formatting changes.
    #[arg(long)]
    pub diff: bool,
    /// Write the result to the source files (default true).
    #[arg(long, default_value_t = true, action = ArgAction::Set)]
    pub write: bool,
    /// List files whose formatting differs (default true).
    #[arg(long, default_value_t = true, action = ArgAction::Set)]
    pub list: bool,
    /// Files or directories to format (default: the working directory). `-` reads stdin.
    pub targets: Vec<PathBuf>,
}

/// Flags shared by plan, apply and destroy. `-var` and `-var-file` are used in command-line
/// order, as [`parse`] returns them; `vars` and `var_files` only declare them to clap.
#[derive(Debug, Args, Clone, Default)]
pub struct PlanFlags {
    /// Set an input variable: -var 'name=value' (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Load variable values from a .tfvars file (repeatable).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    /// Limit planning to this resource and what it depends on (repeatable).
    #[arg(long = "target", value_name = "ADDRESS")]
    pub targets: Vec<String>,
    /// Force replacement of this resource instance (repeatable).
    #[arg(long = "replace", value_name = "ADDRESS")]
    pub replace: Vec<String>,
    /// Read resources back from the simulated cloud before planning (default true).
    #[arg(long, default_value_t = true, action = ArgAction::Set)]
    pub refresh: bool,
    /// Ask for input when needed (default true; -input=false fails instead).
    #[arg(long, default_value_t = true, action = ArgAction::Set)]
    pub input: bool,
    /// Take the state lock (default true).
    #[arg(long, default_value_t = true, action = ArgAction::Set)]
    pub lock: bool,
    /// How long to wait for the state lock, e.g. 10s or 1m.
    #[arg(long = "lock-timeout", default_value = "0s", value_name = "DURATION")]
    pub lock_timeout: String,
}

#[derive(Debug, Args)]
pub struct RefreshArgs {
    #[command(flatten)]
    pub flags: PlanFlags,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub flags: PlanFlags,
    /// Write the plan to FILE so `keyform apply FILE` applies exactly it.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Plan to destroy everything.
    #[arg(long)]
    pub destroy: bool,
    /// Write configuration for `import` blocks whose target has no resource block to FILE
    /// (which must not exist yet).
    #[arg(long = "generate-config-out", value_name = "FILE")]
    pub generate_config_out: Option<PathBuf>,
    /// Exit 0 with no changes, 2 with changes, 1 on error.
    #[arg(long = "detailed-exitcode")]
    pub detailed_exitcode: bool,
    /// Machine-readable output (one JSON object per line).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub flags: PlanFlags,
    /// Skip the interactive approval.
    #[arg(long = "auto-approve")]
    pub auto_approve: bool,
    /// Machine-readable output (one JSON object per line); implies -auto-approve is required.
    #[arg(long)]
    pub json: bool,
    /// A plan file written by `keyform plan -out=FILE`.
    pub plan_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DestroyArgs {
    #[command(flatten)]
    pub flags: PlanFlags,
    /// Skip the interactive approval.
    #[arg(long = "auto-approve")]
    pub auto_approve: bool,
}

/// `-var` and `-var-file` are used in command-line order, as [`parse`] returns them.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Run the tests in DIR (relative to -chdir) instead of the working directory and its tests/.
    #[arg(long = "test-directory", value_name = "DIR")]
    pub test_directory: Option<PathBuf>,
    /// Run only this test file (repeatable), e.g. -filter=tests/main.tftest.hcl.
    #[arg(long = "filter", value_name = "FILE")]
    pub filters: Vec<String>,
    /// Set an input variable: -var 'name=value' (repeatable). Test files' variables win.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Load variable values from a .tfvars file (repeatable).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    /// Also write the results as a JUnit XML report to FILE.
    #[arg(long = "junit-xml", value_name = "FILE")]
    pub junit_xml: Option<PathBuf>,
    /// Machine-readable output: one JSON event per line.
    #[arg(long)]
    pub json: bool,
    /// Also show what each command and action did.
    #[arg(long)]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct GradeArgs {
    #[command(subcommand)]
    pub command: Option<GradeCommand>,
    /// The lab directory, or a bundled lab's name; its tests/ grade every submission.
    #[arg(long, value_name = "DIR|NAME", required = true)]
    pub lab: Option<PathBuf>,
    /// A directory holding one subdirectory per submission.
    #[arg(value_name = "SUBMISSIONS_DIR", required = true)]
    pub submissions: Option<PathBuf>,
    /// Exit 1 when a submission scores under PERCENT of the total points (for CI).
    #[arg(long = "fail-under", value_name = "PERCENT", value_parser = clap::value_parser!(u64).range(0..=100))]
    pub fail_under: Option<u64>,
    /// Grade only the I-th of N shares of the class (1-based), for a CI matrix; `grade merge`
    /// joins the shards' output directories.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Time limit per submission, e.g. 30s or 2m.
    #[arg(long, default_value = "30s", value_name = "DURATION")]
    pub timeout: String,
    /// How many submissions to grade at once (default: the number of CPUs).
    #[arg(long, value_name = "N")]
    pub parallelism: Option<usize>,
    /// Where to write gradebook.csv and the JUnit reports.
    #[arg(long, default_value = "grades", value_name = "DIR")]
    pub out: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum GradeCommand {
    /// Merge the output directories of `grade -shard=I/N` runs into one gradebook.
    #[command(
        after_help = "Example:\n  keyform grade merge -out=grades grades-1 grades-2\n\nEvery shard 1..N must be given once. Exit status: 0, or 1 when a submission scores under\n-fail-under percent."
    )]
    Merge(GradeMergeArgs),
}

#[derive(Debug, Args)]
pub struct GradeMergeArgs {
    /// Output directories of `keyform grade` (each holds a gradebook.json).
    #[arg(value_name = "DIR", required = true)]
    pub dirs: Vec<PathBuf>,
    /// Where to write the merged gradebook, summary, HTML report and JUnit reports.
    #[arg(long, default_value = "grades", value_name = "DIR")]
    pub out: PathBuf,
    /// Exit 1 when a submission scores under PERCENT of the total points (for CI).
    #[arg(long = "fail-under", value_name = "PERCENT", value_parser = clap::value_parser!(u64).range(0..=100))]
    pub fail_under: Option<u64>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Terraform's JSON plan/state format.
    #[arg(long)]
    pub json: bool,
    /// A saved plan file (default: the current state).
    pub path: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum StateCommand {
    /// List resources in the state.
    #[command(after_help = "Example:\n  keyform state list aws_iam_user.u")]
    List {
        /// Only addresses matching these (resource or instance addresses).
        addresses: Vec<String>,
    },
    /// Show one resource instance's attributes.
    #[command(after_help = "Example:\n  keyform state show 'aws_iam_user.u[\"bob\"]'")]
    Show { address: String },
    /// Forget resources without destroying them in the simulated cloud.
    #[command(after_help = "Example:\n  keyform state rm aws_s3_object.test")]
    Rm {
        #[arg(required = true)]
        addresses: Vec<String>,
        /// Show what would be removed without removing it.
        #[arg(long = "dry-run")]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum LabCommand {
    /// Show the bundled labs with a one-line summary.
    List,
    /// Lay out a lab's starter, README and tests in DIR (default: ./NAME).
    #[command(
        after_help = "Example:\n  keyform lab start aerosecure-sse-kms my-lab && cd my-lab && keyform test"
    )]
    Start {
        /// The lab to start (see keyform lab list).
        name: String,
        /// Where to put it (must not exist or be empty).
        dir: Option<PathBuf>,
    },
    /// Print a lab's README (a bundled lab's name, or a lab directory).
    Show {
        /// The lab (see keyform lab list) or a directory holding README.md.
        lab: String,
    },
    /// Lay out a new lab (README, main.tf, starter/, tests/) that passes `lab check` as written.
    #[command(
        after_help = "Example:\n  keyform lab new my-kms-lab && keyform lab check my-kms-lab"
    )]
    New {
        /// The lab's name: lowercase letters, digits and dashes.
        name: String,
        /// Where to put it (default: ./NAME; must not exist or be empty).
        dir: Option<PathBuf>,
    },
    /// Check that a lab grades sharply: its solution passes every run, its starter scores 0.
    #[command(
        after_help = "Example:\n  keyform lab check labs/aerosecure-sse-kms\n\nExit status: 0 when the lab grades sharply, 1 otherwise."
    )]
    Check {
        /// The lab directory (main.tf, starter/main.tf, tests/).
        dir: PathBuf,
    },
    /// Print the guide to writing labs and the test-file language.
    Guide,
}

#[derive(Debug, Args)]
pub struct OutputArgs {
    /// The output to show (default: all).
    pub name: Option<String>,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
    /// Print a string output's raw value, without quotes.
    #[arg(long)]
    pub raw: bool,
}

#[derive(Debug, Args)]
pub struct GraphArgs {
    /// Accepted for Terraform compatibility (plan or apply); keyform prints the configuration graph.
    #[arg(long = "type")]
    pub kind: Option<String>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on. Loopback by default; anything else exposes the world (and its
    /// lab-admin keys) to the network, with a warning.
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    pub bind: String,
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = crate::serve::DEFAULT_PORT)]
    pub port: u16,
    /// When ready, write the bound address (host:port) to FILE.
    #[arg(long = "ready-file", value_name = "FILE")]
    pub ready_file: Option<PathBuf>,
    /// strict: every signature is verified and unknown keys are refused. lenient: unknown
    /// access keys and unsigned requests act as lab-admin (for clients signing with fake keys).
    #[arg(long, default_value = "strict", value_parser = ["strict", "lenient"])]
    pub auth: String,
    /// Leave out the request log (one line per request on stderr: time, caller,
    /// service:operation, status, milliseconds).
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct ConsoleArgs {
    /// Port to listen on, on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = crate::serve::DEFAULT_PORT)]
    pub port: u16,
    /// When ready, write the bound address (host:port) to FILE.
    #[arg(long = "ready-file", value_name = "FILE")]
    pub ready_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ForceUnlockArgs {
    /// Accepted for Terraform compatibility: the lock id is the holder's process id.
    pub lock_id: Option<String>,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub force: bool,
}

/// Long flags that Terraform users type with a single dash.
const LONG_FLAGS: &[&str] = &[
    "chdir",
    "no-color",
    "help",
    "version",
    "account-id",
    "input",
    "upgrade",
    "json",
    "check",
    "recursive",
    "diff",
    "write",
    "list",
    "var",
    "var-file",
    "target",
    "replace",
    "refresh",
    "lock",
    "lock-timeout",
    "out",
    "generate-config-out",
    "destroy",
    "detailed-exitcode",
    "auto-approve",
    "raw",
    "type",
    "force",
    "dry-run",
    "test-directory",
    "junit-xml",
    "filter",
    "verbose",
    "lab",
    "parallelism",
    "timeout",
    "state",
    "bind",
    "port",
    "ready-file",
    "auth",
    "quiet",
];

/// Rewrites `-flag` and `-flag=value` to `--flag` forms for known long flags, stopping at
/// commands whose own flags are AWS-CLI style (`sim`).
pub fn normalize(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut out = Vec::new();
    let mut passthrough = false;
    for (i, a) in args.into_iter().enumerate() {
        if i == 0 || passthrough {
            out.push(a);
            continue;
        }
        let Some(s) = a.to_str() else {
            out.push(a);
            continue;
        };
        if s == "sim" || s == "--" {
            passthrough = true;
            out.push(a);
            continue;
        }
        if let Some(rest) = s.strip_prefix('-')
            && !rest.starts_with('-')
        {
            let name = rest.split('=').next().unwrap_or("");
            // Unknown words too, so a typo gets clap's "unexpected argument '--auto-aprove'"
            // with its suggestion, not a complaint about short flag '-a'.
            let word = name.len() > 1 && name.starts_with(|c: char| c.is_ascii_alphabetic());
            if LONG_FLAGS.contains(&name) || word {
                out.push(OsString::from(format!("-{s}")));
                continue;
            }
        }
        out.push(a);
    }
    out
}

/// Parses normalized arguments (see [`normalize`]) into the command line and, from the same
/// arguments, the subcommand's `-var` and `-var-file` occurrences in the order they were given
/// (clap keeps each flag's values apart; Terraform applies the two in command-line order).
pub fn parse(args: Vec<OsString>) -> Result<(Cli, Vec<VarArg>), clap::Error> {
    let mut matches = Cli::command()
        .try_get_matches_from(args)
        .map_err(chdir_goes_first)?;
    let vars = var_args(&matches);
    // As `Cli::try_parse_from` does, so errors read the same.
    let cli = Cli::from_arg_matches_mut(&mut matches).map_err(|e| e.format(&mut Cli::command()))?;
    Ok((cli, vars))
}

/// `-chdir` given after the command (Terraform, too, takes it only first): say where it goes
/// instead of clap's bare "unexpected argument".
fn chdir_goes_first(e: clap::Error) -> clap::Error {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let misplaced = e.kind() == ErrorKind::UnknownArgument
        && matches!(
            e.get(ContextKind::InvalidArg),
            Some(ContextValue::String(a)) if a == "--chdir" || a.starts_with("--chdir=")
        );
    if !misplaced {
        return e;
    }
    Cli::command().error(
        ErrorKind::UnknownArgument,
        "-chdir must come before the command, because it changes the directory every command \
         works in: write `keyform -chdir=DIR test` rather than `keyform test -chdir=DIR`",
    )
}

/// The `-var`/`-var-file` values of the subcommands that take them, by argument position.
fn var_args(m: &ArgMatches) -> Vec<VarArg> {
    let Some(("plan" | "apply" | "destroy" | "test", sub)) = m.subcommand() else {
        return Vec::new();
    };
    let mut found: Vec<(usize, VarArg)> = Vec::new();
    if let (Some(at), Some(values)) = (sub.indices_of("vars"), sub.get_many::<String>("vars")) {
        found.extend(at.zip(values).map(|(i, v)| (i, VarArg::Var(v.clone()))));
    }
    if let (Some(at), Some(values)) = (
        sub.indices_of("var_files"),
        sub.get_many::<PathBuf>("var_files"),
    ) {
        found.extend(at.zip(values).map(|(i, f)| (i, VarArg::File(f.clone()))));
    }
    found.sort_by_key(|(i, _)| *i);
    found.into_iter().map(|(_, v)| v).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn chdir_after_the_command_says_it_goes_first() {
        for args in [
            &["kf", "test", "-chdir=labs"][..],
            &["kf", "plan", "-chdir", "labs"][..],
        ] {
            let e = super::parse(super::normalize(args.iter().map(OsString::from))).unwrap_err();
            let text = e.to_string();
            assert!(
                text.contains("-chdir must come before the command"),
                "{text}"
            );
            assert!(text.contains("keyform -chdir=DIR test"), "{text}");
        }
    }

    use super::*;

    fn norm(v: &[&str]) -> Vec<String> {
        normalize(v.iter().map(OsString::from))
            .into_iter()
            .map(|o| o.into_string().unwrap())
            .collect()
    }

    #[test]
    fn single_dash_long_flags_become_double_dash() {
        assert_eq!(
            norm(&["kf", "-chdir=x", "apply", "-auto-approve"]),
            ["kf", "--chdir=x", "apply", "--auto-approve"]
        );
        assert_eq!(
            norm(&["kf", "plan", "-var", "a=b", "-h"]),
            ["kf", "plan", "--var", "a=b", "-h"]
        );
        assert_eq!(
            norm(&["kf", "sim", "kms", "-list"]),
            ["kf", "sim", "kms", "-list"]
        );
    }

    #[test]
    fn vars_and_var_files_keep_the_order_of_the_given_arguments() {
        let vars = |v: &[&str]| parse(normalize(v.iter().map(OsString::from))).unwrap().1;
        let var = |s: &str| VarArg::Var(s.into());
        let file = |s: &str| VarArg::File(s.into());
        assert_eq!(
            vars(&[
                "kf",
                "plan",
                "-var-file=a.tfvars",
                "-var",
                "x=1",
                "-var-file",
                "b.tfvars",
                "-var=y=2"
            ]),
            [file("a.tfvars"), var("x=1"), file("b.tfvars"), var("y=2")]
        );
        assert_eq!(
            vars(&[
                "kf",
                "-chdir=d",
                "test",
                "-var",
                "x=1",
                "-var-file=a.tfvars"
            ]),
            [var("x=1"), file("a.tfvars")]
        );
        assert_eq!(
            vars(&[
                "kf",
                "apply",
                "-auto-approve",
                "-var-file=a.tfvars",
                "-var",
                "x=1",
                "tfplan"
            ]),
            [file("a.tfvars"), var("x=1")]
        );
        assert_eq!(vars(&["kf", "destroy", "-var", "x=1"]), [var("x=1")]);
        assert!(vars(&["kf", "validate"]).is_empty());
    }
}
