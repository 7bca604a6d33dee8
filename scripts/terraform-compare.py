#!/usr/bin/env python3
"""keyform vs Terraform: plan from empty and no-op plan, same graph shape, alternating runs.

Each unit is 7 resources wired like benches/support/scale.rs (key <- alias, bucket <- SSE
config <- key, user, policy <- bucket + key, attachment <- user + policy). keyform plans the
AWS resources of that file; Terraform plans terraform_data resources whose `input` makes the
same references. Every figure is a whole process (start-up included), wall time and peak RSS
from /usr/bin/time; medians over the runs; the goal is keyform >= 50x faster at every size.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

GOAL = 50.0


def tf_config(units):
    out = ['terraform {\n  required_version = ">= 1.4"\n}\n']
    for i in range(units):
        out.append(f'''
resource "terraform_data" "k{i}" {{
  input = {{ description = "key {i}", deletion_window_in_days = 7, enable_key_rotation = true }}
}}
resource "terraform_data" "a{i}" {{
  input = {{ name = "alias/scale-{i}", target_key_id = terraform_data.k{i}.id }}
}}
resource "terraform_data" "b{i}" {{
  input = {{ bucket = "scale-bucket-{i}" }}
}}
resource "terraform_data" "e{i}" {{
  input = {{ bucket = terraform_data.b{i}.id, kms_master_key_id = terraform_data.k{i}.id, sse_algorithm = "aws:kms" }}
}}
resource "terraform_data" "u{i}" {{
  input = {{ name = "user-{i}" }}
}}
resource "terraform_data" "p{i}" {{
  input = {{
    name = "policy-{i}"
    policy = jsonencode({{
      Version   = "2012-10-17"
      Statement = [{{ Effect = "Allow", Action = ["s3:GetObject", "kms:Decrypt"], Resource = ["${{terraform_data.b{i}.id}}/*", terraform_data.k{i}.id] }}]
    }})
  }}
}}
resource "terraform_data" "t{i}" {{
  input = {{ user = terraform_data.u{i}.id, policy_arn = terraform_data.p{i}.id }}
}}
''')
    return "".join(out)


def run(cmd, cwd, env=None):
    """Wall seconds and peak RSS (KiB) of one whole process."""
    t = time.perf_counter()
    r = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, cwd=cwd, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t
    if r.returncode not in (0, 2):  # 2: terraform plan -detailed-exitcode "changes present"
        sys.exit(f"{' '.join(cmd)} failed in {cwd}:\n{r.stderr[-3000:]}")
    rss = int(r.stderr.strip().splitlines()[-1])
    return wall, rss


def alternate(runs, a, b):
    """Runs a and b in turn; returns ([(wall, rss)] of a, of b)."""
    ra, rb = [], []
    for _ in range(runs):
        ra.append(a())
        rb.append(b())
    return ra, rb


def row(name, kf, tf):
    kt = statistics.median(x[0] for x in kf)
    tt = statistics.median(x[0] for x in tf)
    km = max(x[1] for x in kf) / 1024
    tm = max(x[1] for x in tf) / 1024
    ratio = tt / kt
    verdict = "meets goal" if ratio >= GOAL else "MISSES goal"
    print(f"{name:<34}{kt:>10.3f} s {km:>7.0f} MB{tt:>10.2f} s {tm:>7.0f} MB{ratio:>8.0f}x   >= {GOAL:.0f}x  {verdict}", flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--keyform", required=True)
    p.add_argument("--gen", required=True, help="the gen_scale example binary")
    p.add_argument("--sizes", default="1000,10000", help="resource counts, comma-separated")
    p.add_argument("-r", "--runs", type=int, default=3, help="runs of each command per figure")
    p.add_argument("--no-noop", action="store_true", help="skip the applies and no-op plans")
    a = p.parse_args()
    kbin = os.path.abspath(a.keyform)
    tf_env = dict(os.environ, TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1", TF_CLI_CONFIG_FILE="/dev/null")
    tfv = subprocess.run(["terraform", "version"], capture_output=True, text=True, env=tf_env).stdout.splitlines()[0]
    print(f"keyform vs {tfv} (terraform_data); whole processes, median of {a.runs} alternating runs")
    print(f"{'figure':<34}{'keyform':>12} {'peak':>10}{'terraform':>12} {'peak':>10}{'ratio':>9}   goal  verdict")
    for n in [int(x) for x in a.sizes.split(",")]:
        units = (n + 6) // 7
        with tempfile.TemporaryDirectory() as kd, tempfile.TemporaryDirectory() as td:
            with open(os.path.join(kd, "main.tf"), "w") as f:
                f.write(subprocess.run([os.path.abspath(a.gen), str(units * 7)], capture_output=True, text=True, check=True).stdout)
            with open(os.path.join(td, "main.tf"), "w") as f:
                f.write(tf_config(units))
            subprocess.run([kbin, "init"], cwd=kd, check=True, capture_output=True)
            subprocess.run(["terraform", "init", "-input=false"], cwd=td, env=tf_env, check=True, capture_output=True)
            kplan = lambda: run([kbin, "plan", "-lock=false"], kd)
            tplan = lambda: run(["terraform", "plan", "-lock=false", "-input=false"], td, tf_env)
            row(f"plan, create {units * 7}", *alternate(a.runs, kplan, tplan))
            if a.no_noop:
                continue
            subprocess.run([kbin, "apply", "-auto-approve", "-lock=false"], cwd=kd, check=True, capture_output=True)
            subprocess.run(["terraform", "apply", "-auto-approve", "-lock=false", "-input=false", "-parallelism=10"],
                           cwd=td, env=tf_env, check=True, capture_output=True)
            row(f"plan, no-op on {units * 7}", *alternate(a.runs, kplan, tplan))


if __name__ == "__main__":
    main()
