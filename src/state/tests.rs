use super::*;
use crate::aggregate::FoldSettings;
use crate::input::ReadOptions;
use crate::parse::time::Zone;
use proptest::prelude::*;
use std::path::Path;

fn settings() -> ReadSettings {
    ReadSettings {
        zone: Zone::Utc,
        year: None,
        read: ReadOptions {
            now: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs() as i64,
            block_size: 256,
            hold_partial: true,
            ..ReadOptions::default()
        },
        fold: FoldSettings::default(),
    }
}

fn recorded() -> Recorded {
    Recorded {
        zone: "UTC".into(),
        ..Recorded::default()
    }
}

/// One sshd line at `minute` past 2025-03-01 00:00 UTC.
fn line(minute: u32, user: &str, ip: u8, ok: bool) -> String {
    let (h, m) = (minute / 60, minute % 60);
    let what = if ok { "Accepted" } else { "Failed" };
    format!(
        "2025-03-01T{h:02}:{m:02}:00+00:00 mx1 sshd[{}]: {what} password for {user} from 203.0.113.{ip} port 50000 ssh2\n",
        1000 + minute
    )
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

/// A state made by reading `paths` (into `st`, or a new one).
fn read_into(mut st: State, paths: &[String]) -> (State, RunRead) {
    let (found, skipped) = crate::input::discover(paths, &mut None);
    assert!(skipped.is_empty(), "{skipped:?}");
    let skipped = Mutex::new(Vec::new());
    let run = st.read(
        found,
        &settings(),
        |_| indicatif::ProgressBar::hidden(),
        &skipped,
        None,
    );
    assert!(skipped.into_inner().unwrap().is_empty());
    (st, run)
}

fn read(paths: &[String]) -> State {
    read_into(State::new(recorded()), paths).0
}

fn bytes(st: &State) -> Vec<u8> {
    let mut v = Vec::new();
    write_to(st, &mut v).unwrap();
    v
}

fn sample(dir: &Path) -> Vec<String> {
    let a: String = (0..40)
        .map(|i| line(i * 3, "alice", (i % 5) as u8, i % 7 == 0))
        .collect();
    let b: String = (0..30)
        .map(|i| line(i * 2 + 1, "bob", 9, i == 29))
        .collect();
    vec![write(dir, "a.log", &a), write(dir, "b.log", &b)]
}

#[test]
fn a_state_reads_back_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let st = read(&sample(dir.path()));
    assert_eq!(st.agg.accounts.len(), 2);
    let b = bytes(&st);
    let back = read_all(&mut &b[..], "t").unwrap();
    assert_eq!(back.len(), 1);
    assert_eq!(back[0], st);
    // Canonical: the same state gives the same bytes.
    assert_eq!(bytes(&back[0]), b);
}

#[test]
fn states_back_to_back_on_one_stream() {
    let dir = tempfile::tempdir().unwrap();
    let paths = sample(dir.path());
    let a = read(&paths[..1]);
    let b = read(&paths[1..]);
    let mut stream = bytes(&a);
    stream.extend(bytes(&b));
    let got = read_all(&mut &stream[..], "stdin").unwrap();
    assert_eq!(got, vec![a, b]);
}

#[test]
fn truncated_states_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let b = bytes(&read(&sample(dir.path())));
    let e = read_all(&mut &b[..0], "s").unwrap_err();
    assert!(matches!(e, StateError::Truncated(..)), "{e}");
    for cut in [
        1,
        15,
        16,
        19,
        20,
        30,
        40,
        b.len() / 2,
        b.len() - 20,
        b.len() - 1,
    ] {
        let e = read_all(&mut &b[..cut], "s").unwrap_err();
        assert!(matches!(e, StateError::Truncated(..)), "cut at {cut}: {e}");
        assert!(e.to_string().contains("truncated"), "{e}");
    }
}

#[test]
fn damaged_states_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let b = bytes(&read(&sample(dir.path())));
    for at in [40, b.len() / 2, b.len() - 30] {
        let mut d = b.clone();
        d[at] ^= 0x20;
        let e = read_all(&mut &d[..], "s").unwrap_err();
        assert!(
            matches!(e, StateError::Corrupt(..) | StateError::Truncated(..)),
            "flip at {at}: {e}"
        );
    }
    let mut d = b.clone();
    d[16] = 99;
    let e = read_all(&mut &d[..], "old.state").unwrap_err();
    assert!(matches!(e, StateError::Version { found: 99, .. }), "{e}");
    assert!(e.to_string().contains("format version 99"), "{e}");
    let e = read_all(&mut &b"Mar  1 10:00:00 mx1 sshd[1]: hello\n"[..], "x.log").unwrap_err();
    assert!(matches!(e, StateError::NotAState(_)), "{e}");
}

#[test]
fn a_failed_write_leaves_the_old_state() {
    let dir = tempfile::tempdir().unwrap();
    let st = read(&sample(dir.path()));
    let path = dir.path().join("s.state");
    write_atomic(&st, &path).unwrap();
    let before = std::fs::read(&path).unwrap();
    // A directory where the state should go cannot be replaced.
    let bad = dir.path().join("sub");
    std::fs::create_dir(&bad).unwrap();
    assert!(write_atomic(&st, &bad).is_err());
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(read_path(&path).unwrap().unwrap(), vec![st]);
    // No temporary files left behind.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".authsweep"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn different_settings_do_not_merge() {
    let dir = tempfile::tempdir().unwrap();
    let paths = sample(dir.path());
    let mut a = read(&paths[..1]);
    let mut b = read(&paths[1..]);
    b.recorded.default_domain = Some("example.gov".into());
    let e = a.clone().merge(b, ("a", "b")).unwrap_err();
    assert!(e.to_string().contains("--default-domain"), "{e}");
    // The same file in both: its lines would count twice.
    let a2 = a.clone();
    let e = a.merge(a2, ("a", "a again")).unwrap_err();
    assert!(e.to_string().contains("twice"), "{e}");
}

#[test]
fn a_grown_file_is_read_from_where_it_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let first: String = (0..20).map(|i| line(i, "alice", 1, false)).collect();
    let more: String = (20..30).map(|i| line(i, "alice", 1, i == 29)).collect();
    let p = write(dir.path(), "mail.log", &first);
    let (st, run) = read_into(State::new(recorded()), std::slice::from_ref(&p));
    assert_eq!(
        (run.read, run.lines, run.bytes),
        (1, 20, first.len() as u64)
    );
    // Nothing new: nothing read.
    let (st, run) = read_into(st, std::slice::from_ref(&p));
    assert_eq!((run.read, run.bytes), (0, 0));
    std::fs::write(&p, format!("{first}{more}")).unwrap();
    let (st, run) = read_into(st, std::slice::from_ref(&p));
    assert_eq!((run.read, run.lines, run.bytes), (1, 10, more.len() as u64));
    let whole = read(&[p]);
    assert_eq!(st.agg, whole.agg);
    assert_eq!(st.files[0].read, whole.files[0].read);
}

/// A line cut short by a writer is read again, whole, by the next run.
#[test]
fn a_half_written_last_line_is_read_again_whole() {
    let dir = tempfile::tempdir().unwrap();
    let full: String = (0..5).map(|i| line(i, "carol", 3, true)).collect();
    let cut = full.len() - 30;
    let p = write(dir.path(), "mail.log", &full[..cut]);
    let (st, _) = read_into(State::new(recorded()), std::slice::from_ref(&p));
    std::fs::write(&p, &full).unwrap();
    let (st, run) = read_into(st, std::slice::from_ref(&p));
    assert_eq!(run.lines, 1);
    assert_eq!(
        run.bytes,
        (full.len() - full[..cut].rfind('\n').unwrap() - 1) as u64
    );
    assert_eq!(st.agg, read(&[p]).agg);
}

fn events() -> impl Strategy<Value = Vec<(u32, u8, u8, bool)>> {
    proptest::collection::vec(
        (0u32..1440, 0u8..5, 0u8..6, proptest::bool::weighted(0.2)),
        0..60,
    )
}

const USERS: [&str; 5] = ["alice", "bob", "carol@example.gov", "dave", "root"];

fn log(ev: &[(u32, u8, u8, bool)]) -> String {
    let mut ev = ev.to_vec();
    ev.sort();
    ev.iter()
        .map(|&(m, u, ip, ok)| line(m, USERS[u as usize], ip, ok))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Merging is commutative and associative, the empty state is its
    /// identity, and merged shards equal one read of all their files.
    #[test]
    fn merge_laws(a in events(), b in events(), c in events()) {
        let dir = tempfile::tempdir().unwrap();
        let paths = vec![
            write(dir.path(), "a.log", &log(&a)),
            write(dir.path(), "b.log", &log(&b)),
            write(dir.path(), "c.log", &log(&c)),
        ];
        let (sa, sb, sc) = (read(&paths[..1]), read(&paths[1..2]), read(&paths[2..]));
        let m = |x: &State, y: &State| {
            let mut x = x.clone();
            x.merge(y.clone(), ("x", "y")).map(|_| x)
        };
        // Empty logs give entries without data: they never overlap.
        let ab = m(&sa, &sb).unwrap();
        let ba = m(&sb, &sa).unwrap();
        prop_assert_eq!(bytes(&ab), bytes(&ba));
        let ab_c = m(&ab, &sc).unwrap();
        let a_bc = m(&sa, &m(&sb, &sc).unwrap()).unwrap();
        prop_assert_eq!(bytes(&ab_c), bytes(&a_bc));
        prop_assert_eq!(bytes(&m(&sa, &State::new(recorded())).unwrap()), bytes(&sa));
        prop_assert_eq!(bytes(&ab_c), bytes(&read(&paths)));
    }
}
