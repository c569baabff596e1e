//! Comment-preserving edits, semantic diff and event evaluation.

use audit_control::{
    audited_events, events_in_class, semantic_diff, AuditControl, ClassMask, ClassTable, Document,
    EditError, EventTable,
};

const APPLE: &[u8] = include_bytes!("../../data/apple/audit_control");

fn set(bytes: &[u8], key: &str, value: &str) -> Result<Vec<u8>, EditError> {
    let mut doc = Document::parse(bytes);
    doc.set(key, value, &ClassTable::apple())?;
    Ok(doc.to_bytes())
}

fn read(bytes: &[u8]) -> AuditControl {
    AuditControl::read(&Document::parse(bytes), &ClassTable::apple())
}

/// Lines that differ between two files of equal line count.
fn changed_lines(a: &[u8], b: &[u8]) -> Vec<usize> {
    let la: Vec<&[u8]> = a.split_inclusive(|&c| c == b'\n').collect();
    let lb: Vec<&[u8]> = b.split_inclusive(|&c| c == b'\n').collect();
    assert_eq!(la.len(), lb.len());
    (0..la.len())
        .filter(|&i| la[i] != lb[i])
        .map(|i| i + 1)
        .collect()
}

#[test]
fn set_replaces_only_the_line_macos_reads() {
    let out = set(APPLE, "flags", "lo,aa,ad").unwrap();
    assert_eq!(changed_lines(APPLE, &out), vec![5]);
    assert!(out
        .starts_with(b"#\n# $P4: //depot/projects/trustedbsd/openbsm/etc/audit_control#8 $\n#\n"));
    assert_eq!(
        read(&out).flags(),
        Some(ClassMask {
            success: 0x3800,
            failure: 0x3800
        })
    );
    for (key, value, line) in [
        ("naflags", "lo", 7),
        ("policy", "cnt", 8),
        ("minfree", "10", 6),
        ("filesz", "10M", 9),
        ("expire-after", "60d OR 5G", 10),
    ] {
        let out = set(APPLE, key, value).unwrap();
        assert_eq!(changed_lines(APPLE, &out), vec![line], "{key}");
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains(&format!("\n{key}:{value}\n")),
            "{key}: {text}"
        );
    }
}

#[test]
fn set_first_of_duplicates_and_keeps_odd_lines() {
    let input = b"# mine\r\n  #flags:all\nflags: lo\nflags:aa\nfoo:bar\n\xff\xfe\n";
    let out = set(input, "flags", "lo,ad").unwrap();
    assert_eq!(
        out,
        b"# mine\r\n  #flags:all\nflags:lo,ad\nflags:aa\nfoo:bar\n\xff\xfe\n"
    );
}

#[test]
fn missing_key_goes_next_to_related_keys() {
    let input = b"# header\ndir:/var/audit\nflags:lo,aa\nnaflags:lo,aa\n# tail comment\n";
    let out = set(input, "minfree", "5").unwrap();
    assert_eq!(
        out,
        b"# header\ndir:/var/audit\nflags:lo,aa\nminfree:5\nnaflags:lo,aa\n# tail comment\n"
    );
    let out = set(input, "expire-after", "60d").unwrap();
    assert_eq!(
        out,
        b"# header\ndir:/var/audit\nflags:lo,aa\nnaflags:lo,aa\nexpire-after:60d\n# tail comment\n"
    );
    // Only later keys present: insert before the first of them.
    let out = set(b"# c\npolicy:cnt\n", "flags", "lo").unwrap();
    assert_eq!(out, b"# c\nflags:lo\npolicy:cnt\n");
    // Nothing known: append, terminating an unterminated last line first.
    assert_eq!(
        set(b"# only a comment", "flags", "lo").unwrap(),
        b"# only a comment\nflags:lo\n"
    );
    assert_eq!(set(b"", "flags", "lo").unwrap(), b"flags:lo\n");
}

#[test]
fn line_endings_are_preserved() {
    // An unterminated last line stays unterminated.
    assert_eq!(set(b"flags:lo", "flags", "aa").unwrap(), b"flags:aa");
    // CRLF: harmless for expire-after (the \r ends the scan), so the edit is made…
    let crlf = b"dir:/var/audit\r\nexpire-after:10M\r\n";
    assert_eq!(
        set(crlf, "expire-after", "60d").unwrap(),
        b"dir:/var/audit\r\nexpire-after:60d\r\n"
    );
    // …and a new line uses the file's CRLF style.
    assert_eq!(
        set(crlf, "minfree", "5").unwrap(),
        b"dir:/var/audit\r\nminfree:5\r\nexpire-after:10M\r\n"
    );
    // …but a flags line would read `lo\r`: refused, file unchanged.
    let err = set(crlf, "flags", "lo").unwrap_err();
    assert!(matches!(err, EditError::WouldNotRead { .. }), "{err}");
    assert!(err.to_string().contains("CRLF"));
}

#[test]
fn invalid_values_are_refused() {
    for (key, value, why) in [
        ("flags", "lo, aa", "blanks"),
        ("flags", "lo,zz", "`zz`"),
        ("flags", "lo:aa", "`:`"),
        ("policy", "cnt,seq", "rejects seq"),
        ("policy", "CNT", "CNT"),
        ("minfree", "101", "0–100"),
        ("minfree", "25%", "digits"),
        ("filesz", "500K", "512K"),
        ("filesz", "2m", "unit"),
        ("filesz", "2MB", "ignored"),
        ("expire-after", "60d, 5G", "ignored"),
        ("expire-after", "60m", "minute"),
        ("expire-after", "60d AND 30d", "same dimension"),
        ("expire-after", "60d # c", "comments"),
        ("dir", "/tmp", "cannot be edited"),
        ("flags", "", "empty"),
    ] {
        let err = set(APPLE, key, value).unwrap_err();
        assert!(err.to_string().contains(why), "{key}={value}: {err}");
    }
}

#[test]
fn remove_deletes_every_line_for_the_key() {
    let mut doc = Document::parse(b"# c\nexpire-after:10M\nflags:lo\nexpire-after:60d\n");
    assert_eq!(doc.remove("expire-after").unwrap(), 2);
    assert_eq!(doc.to_bytes(), b"# c\nflags:lo\n");
    assert_eq!(doc.remove("expire-after").unwrap(), 0);
}

fn diff_texts(old: &[u8], new: &[u8]) -> Vec<(String, Vec<&'static str>)> {
    semantic_diff(&read(old), &read(new))
        .into_iter()
        .map(|c| (c.text, c.risks.iter().map(|r| r.id).collect()))
        .collect()
}

#[test]
fn semantic_diff_speaks_meaning() {
    let new = set(APPLE, "flags", "lo,aa,ad").unwrap();
    assert_eq!(
        diff_texts(APPLE, &new),
        vec![("flags: +ad".to_string(), vec![])]
    );
    let new = set(APPLE, "policy", "argv").unwrap();
    assert_eq!(
        diff_texts(APPLE, &new),
        vec![(
            "policy: −cnt — a full disk now halts auditing and suspends processes".to_string(),
            vec!["drop-cnt"]
        )]
    );
    let new = set(APPLE, "expire-after", "60d OR 5G").unwrap();
    assert_eq!(
        diff_texts(APPLE, &new),
        vec![("expire-after: 10M → 60d OR 5G".to_string(), vec![])]
    );
    let new = set(APPLE, "policy", "cnt,ahlt,argv,arge").unwrap();
    let d = diff_texts(APPLE, &new);
    assert_eq!(d.len(), 1);
    assert!(d[0].0.contains("+ahlt") && d[0].0.contains("+arge"));
    assert_eq!(d[0].1, vec!["add-ahlt", "add-arge"]);
    let new = set(APPLE, "flags", "lo,aa,na").unwrap();
    assert_eq!(
        diff_texts(APPLE, &new),
        vec![("flags: +na".to_string(), vec!["na-in-flags"])]
    );
    let new = set(APPLE, "flags", "lo,+aa,-fr").unwrap();
    assert_eq!(
        diff_texts(APPLE, &new)[0].0,
        "flags: +fr on failure, −aa on failure"
    );
    let new = set(APPLE, "minfree", "60").unwrap();
    assert_eq!(
        diff_texts(APPLE, &new),
        vec![(
            "minfree: 5 → 60 (kernel trigger at 100.0 %)".to_string(),
            vec!["minfree-out-of-range"]
        )]
    );
    let new = set(APPLE, "filesz", "0").unwrap();
    assert_eq!(
        diff_texts(APPLE, &new),
        vec![(
            "filesz: 2M → 0 (no size-based rotation)".to_string(),
            vec!["filesz-zero"]
        )]
    );
    let mut doc = Document::parse(APPLE);
    doc.remove("expire-after").unwrap();
    let d = diff_texts(APPLE, &doc.to_bytes());
    assert_eq!(
        d,
        vec![(
            "expire-after: 10M → (not set) — old trails are no longer deleted".to_string(),
            vec!["no-expire-after"]
        )]
    );
    let moved = String::from_utf8(APPLE.to_vec())
        .unwrap()
        .replace("dir:/var/audit", "dir:/Volumes/Audit");
    let d = diff_texts(APPLE, moved.as_bytes());
    assert_eq!(
        d,
        vec![(
            "dir: /var/audit → /Volumes/Audit".to_string(),
            vec!["dir-change"]
        )]
    );
    // Byte changes without a change in meaning produce no semantic change.
    let cosmetic = String::from_utf8(APPLE.to_vec())
        .unwrap()
        .replace("flags:lo,aa\n", "flags:lo,aa,\n# note\n");
    assert!(diff_texts(APPLE, cosmetic.as_bytes()).is_empty());
    // A policy made invalid: auditd falls back to cnt, so argv is lost.
    let broken = String::from_utf8(APPLE.to_vec())
        .unwrap()
        .replace("policy:cnt,argv", "policy:cnt, argv");
    assert_eq!(
        diff_texts(APPLE, broken.as_bytes())[0].0,
        "policy: −argv — command-line arguments are no longer recorded"
    );
}

#[test]
fn default_flags_audit_login_and_auth_events() {
    let events = EventTable::apple();
    let lo_aa = ClassMask {
        success: 0x3000,
        failure: 0x3000,
    };
    let audited = audited_events(lo_aa, &events);
    // 21 lo + 10 aa lines, minus 6171/6172 which the kernel maps to `ad` instead.
    assert_eq!(audited.len(), 29);
    assert!(audited.iter().all(|a| a.on_success && a.on_failure));
    assert!(audited.iter().any(|a| a.event.name == "AUE_sudo"));
    assert!(!audited.iter().any(|a| a.event.number == 6171));
    // -ex: execve failures only; posix_spawn is pc only and not selected.
    let ex_fail = ClassMask {
        success: 0,
        failure: 0x4000_0000,
    };
    let a = audited_events(ex_fail, &events);
    let names: Vec<&str> = a.iter().map(|x| x.event.name.as_str()).collect();
    assert_eq!(
        names,
        vec!["AUE_EXEC", "AUE_EXECVE", "AUE_MAC_EXECVE", "AUE_FEXECVE"]
    );
    assert!(!names.contains(&"AUE_POSIX_SPAWN"));
    assert!(a.iter().all(|x| !x.on_success && x.on_failure));
    assert_eq!(
        events_in_class(0x4000_0000, &EventTable::upstream()).len(),
        5
    );
    // `no` lists the events that can never be selected.
    assert_eq!(
        events_in_class(0, &events)
            .iter()
            .filter(|e| e.number == 0)
            .count(),
        1
    );
}
