use super::*;

fn checks() -> Vec<Check> {
    Check::labelled(&[
        ("tests/a.tftest.hcl".into(), "provision".into(), 0),
        ("tests/a.tftest.hcl".into(), "encrypts".into(), 2),
        ("tests/b.tftest.hcl".into(), "encrypts".into(), 3),
    ])
}

fn result(status: Status) -> CheckResult {
    CheckResult {
        status,
        needs: (status == Status::NotGraded).then(|| "needs aws_kms_key.lab".to_string()),
    }
}

fn sub(name: &str, score: u64, checks: &[Status]) -> Submission {
    Submission {
        name: name.into(),
        status: SubmissionStatus::Graded,
        detail: String::new(),
        score,
        total: 5,
        checks: checks.iter().map(|s| result(*s)).collect(),
    }
}

fn book() -> Gradebook {
    Gradebook::new(
        "labs/x".into(),
        checks(),
        vec![
            sub("zoe", 5, &[Status::Pass, Status::Pass, Status::Pass]),
            sub(
                "al, \"the\" one",
                2,
                &[Status::Pass, Status::Pass, Status::NotGraded],
            ),
            Submission::ungraded(
                "bob",
                SubmissionStatus::ConfigurationError,
                "main.tf:3: Unsupported argument".into(),
                &checks(),
            ),
        ],
    )
}

#[test]
fn labels_name_the_file_only_where_runs_share_a_name() {
    let l: Vec<String> = checks().into_iter().map(|c| c.label).collect();
    assert_eq!(
        l,
        [
            "provision",
            "tests/a.tftest.hcl:encrypts",
            "tests/b.tftest.hcl:encrypts"
        ]
    );
}

#[test]
fn the_gradebook_says_why_and_each_check() {
    assert_eq!(
        book().csv(),
        "submission,status,detail,score,total,failed_runs,provision,tests/a.tftest.hcl:encrypts,tests/b.tftest.hcl:encrypts
\"al, \"\"the\"\" one\",graded,,2,5,tests/b.tftest.hcl:encrypts,pass,pass,not graded: needs aws_kms_key.lab
bob,configuration error,main.tf:3: Unsupported argument,0,5,provision;tests/a.tftest.hcl:encrypts;tests/b.tftest.hcl:encrypts,error,error,error
zoe,graded,,5,5,,pass,pass,pass
"
    );
}

#[test]
fn the_class_summary_counts_each_check() {
    assert_eq!(
        book().summary_csv(),
        "check,points,passed,failed,not_graded,submissions
provision,0,2,1,0,3
tests/a.tftest.hcl:encrypts,2,2,1,0,3
tests/b.tftest.hcl:encrypts,3,1,1,1,3
"
    );
}

#[test]
fn fail_under_is_a_percentage_of_the_total() {
    let b = book();
    let names = |p| -> Vec<String> { b.under(p).iter().map(|s| s.name.clone()).collect() };
    assert_eq!(names(40), ["bob"]);
    assert_eq!(names(41), ["al, \"the\" one", "bob"]);
    assert!(names(0).is_empty());
}

#[test]
fn shards_split_the_class_evenly_and_merge_back() {
    assert_eq!(Shard::parse("2/3"), Some(Shard { index: 2, count: 3 }));
    for bad in ["0/3", "4/3", "1", "a/b", "1/0"] {
        assert_eq!(Shard::parse(bad), None, "{bad}");
    }
    let s = Shard::parse("2/3").unwrap();
    let taken: Vec<usize> = (0..7).filter(|i| s.takes(*i)).collect();
    assert_eq!(taken, [1, 4]);

    let full = book();
    let parts: Vec<(Gradebook, Option<Shard>)> = (1..=2)
        .map(|i| {
            let shard = Shard { index: i, count: 2 };
            let mut b = full.clone();
            b.submissions = full
                .submissions
                .iter()
                .enumerate()
                .filter(|(j, _)| shard.takes(*j))
                .map(|(_, s)| s.clone())
                .collect();
            // Through the JSON file, as between CI jobs.
            (Gradebook::from_json(&b.to_json()).unwrap(), Some(shard))
        })
        .collect();
    let merged = Gradebook::merge(parts.clone()).unwrap();
    assert_eq!(merged.submissions, full.submissions);
    assert_eq!(merged.csv(), full.csv());

    let e = Gradebook::merge(parts[..1].to_vec()).unwrap_err();
    assert_eq!(
        e,
        MergeError::Shards {
            count: 2,
            missing: vec![2],
            repeated: vec![]
        }
    );
    let twice = vec![parts[0].clone(), parts[0].clone()];
    assert!(matches!(
        Gradebook::merge(twice),
        Err(MergeError::Duplicate(_))
    ));
    let mut other = parts[1].clone();
    other.0.lab = "labs/y".into();
    assert!(matches!(
        Gradebook::merge(vec![parts[0].clone(), other]),
        Err(MergeError::DifferentLabs { .. })
    ));
}

#[test]
fn the_html_report_has_a_bar_per_check_and_escapes() {
    let h = html(&book());
    assert!(h.starts_with("<!DOCTYPE html>"));
    assert_eq!(h.matches("class=\"bar\"").count(), 3);
    assert!(h.contains("aria-label=\"66% passed\"><span style=\"width:66%\">"));
    assert!(h.contains("al, &quot;the&quot; one"));
    assert!(h.contains("configuration error<br><small>main.tf:3: Unsupported argument</small>"));
    assert!(h.contains("title=\"needs aws_kms_key.lab\">– not graded</td>"));
    assert!(!h.contains("<script"));
}

#[test]
fn a_nested_or_missing_configuration_is_found() {
    let d = tempfile::tempdir().unwrap();
    let s = d.path();
    assert_eq!(locate(s), Located::Nothing);
    std::fs::create_dir_all(s.join(".git")).unwrap();
    std::fs::write(s.join(".git/x.tf"), "").unwrap();
    std::fs::create_dir_all(s.join("lab-1/inner")).unwrap();
    std::fs::write(s.join("lab-1/inner/main.tf"), "").unwrap();
    assert_eq!(locate(s), Located::Nested(PathBuf::from("lab-1/inner")));
    std::fs::write(s.join("main.tf"), "").unwrap();
    assert_eq!(locate(s), Located::Top);
}
