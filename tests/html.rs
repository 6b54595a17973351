//! The HTML report (issue 8): `scan --format html` on the sample logs and
//! on crafted user names, checked as text here (self-contained, CSP,
//! escaping, charts well-formed) and in headless Chromium (the tests
//! marked `#[ignore]`: `scripts/test` installs chromium and playwright-core
//! and runs them).

use assert_cmd::Command;
use authsweep::report::html::{csp, svg};
use serde_json::Value;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

fn bin() -> Command {
    Command::cargo_bin("authsweep").expect("binary built")
}

fn scan(format: &str, args: &[&str]) -> String {
    let out = bin()
        .args(["scan", "--tz", "UTC", "-q", "--format", format])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "scan --format {format} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

const SAMPLE: [&str; 5] = [
    "sample-logs/",
    "--roster",
    "sample-logs/roster.csv",
    "--default-domain",
    "example.gov",
];

/// Names of the at-risk accounts (a finding of medium or above), in report
/// order, from the JSON report.
fn at_risk(json: &Value) -> Vec<String> {
    json["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| {
            matches!(
                a["risk"]["level"].as_str(),
                Some("medium" | "high" | "critical")
            )
        })
        .map(|a| a["account"].as_str().unwrap().to_string())
        .collect()
}

/// The text between `open` and `close` (exactly one such part).
fn only<'a>(page: &'a str, open: &str, close: &str) -> &'a str {
    assert_eq!(page.matches(open).count(), 1, "{open} more than once");
    let a = page.find(open).unwrap() + open.len();
    let b = page[a..].find(close).unwrap() + a;
    &page[a..b]
}

/// Every tag of the page outside the inline style and script, as (name,
/// [(attribute, value)]).
fn tags(page: &str) -> Vec<(String, Vec<(String, String)>)> {
    let style = only(page, "<style>", "</style>");
    let script = only(page, "<script>", "</script>");
    let rest = page.replacen(style, "", 1).replacen(script, "", 1);
    let mut out = Vec::new();
    let mut s = rest.as_str();
    while let Some(i) = s.find('<') {
        let end = s[i..].find('>').expect("tag closed") + i;
        let tag = &s[i + 1..end];
        s = &s[end + 1..];
        if tag.starts_with('/') || tag.starts_with('!') {
            continue;
        }
        let tag = tag.trim_end_matches('/');
        let (name, mut rest) = tag.split_once(' ').unwrap_or((tag, ""));
        let mut attrs = Vec::new();
        while !rest.trim().is_empty() {
            rest = rest.trim_start();
            let n = rest.find(['=', ' ']).unwrap_or(rest.len());
            let attr = rest[..n].to_string();
            if rest[n..].starts_with("=\"") {
                let close = rest[n + 2..].find('"').expect("attribute quoted") + n + 2;
                attrs.push((attr, rest[n + 2..close].to_string()));
                rest = &rest[close + 1..];
            } else {
                assert!(!rest[n..].starts_with('='), "unquoted attribute in <{tag}>");
                attrs.push((attr, String::new()));
                rest = &rest[n..];
            }
        }
        out.push((name.to_string(), attrs));
    }
    out
}

fn base64(b: &[u8]) -> String {
    authsweep::report::text::base64(b)
}

/// The page loads nothing and runs nothing but its own inline script:
/// no `src`, every `href` a fragment naming an id of the page, no event
/// handler or style attribute, a CSP that forbids every load and allows
/// only the inline style and script by their hashes, and no way to reach
/// the network in the style or the script.
fn assert_self_contained(page: &str) {
    let policy = only(
        page,
        "http-equiv=\"Content-Security-Policy\" content=\"",
        "\"",
    )
    .replace("&#39;", "'");
    let style = only(page, "<style>", "</style>");
    let script = only(page, "<script>", "</script>");
    assert!(policy.starts_with("default-src 'none';"), "{policy}");
    assert!(
        policy.contains(&format!(
            "style-src 'sha256-{}'",
            base64(&csp::sha256(style.as_bytes()))
        )),
        "{policy}"
    );
    assert!(
        policy.contains(&format!(
            "script-src 'sha256-{}'",
            base64(&csp::sha256(script.as_bytes()))
        )),
        "{policy}"
    );
    assert!(
        page.find("Content-Security-Policy").unwrap() < page.find("<style>").unwrap(),
        "the policy comes before the style"
    );
    for bad in ["url(", "@import", "http:", "https:", "//"] {
        assert!(!style.contains(bad), "style has {bad}");
    }
    for bad in [
        "fetch(",
        "XMLHttpRequest",
        "WebSocket",
        "EventSource",
        "sendBeacon",
        "import(",
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
        "http:",
        "https:",
        "src",
        "href =",
    ] {
        assert!(!script.contains(bad), "script has {bad}");
    }
    let tags = tags(page);
    let ids: HashSet<&str> = tags
        .iter()
        .flat_map(|(_, a)| a.iter())
        .filter(|(k, _)| k == "id")
        .map(|(_, v)| v.as_str())
        .collect();
    let mut links = 0;
    for (name, attrs) in &tags {
        assert!(
            !matches!(
                name.as_str(),
                "img" | "iframe" | "object" | "embed" | "link" | "base" | "form" | "image" | "use"
            ),
            "<{name}> in the page"
        );
        for (k, v) in attrs {
            let k = k.to_ascii_lowercase();
            assert!(!k.starts_with("on"), "<{name} {k}=\"{v}\">");
            assert!(k != "style", "<{name} style=\"{v}\">");
            assert!(
                k != "src" && k != "srcset" && k != "xlink:href" && k != "action",
                "<{name} {k}=\"{v}\">"
            );
            if k == "href" {
                links += 1;
                let target = v
                    .strip_prefix('#')
                    .unwrap_or_else(|| panic!("<{name} href=\"{v}\">: only links within the page"));
                assert!(ids.contains(target), "href=\"{v}\" names no id");
            }
        }
    }
    assert!(links > 0);
}

/// Every chart is well-formed SVG.
fn svgs(page: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut s = page;
    while let Some(i) = s.find("<svg ") {
        let end = s[i..].find("</svg>").unwrap() + i + "</svg>".len();
        let one = &s[i..end];
        svg::well_formed(one).unwrap_or_else(|e| panic!("{e}: {one}"));
        out.push(one);
        s = &s[end..];
    }
    out
}

#[test]
fn sample_report_is_self_contained_with_charts_and_the_planted_cases() {
    let page = scan("html", &SAMPLE);
    let json: Value = serde_json::from_str(&scan("json", &SAMPLE)).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert_self_contained(&page);

    // The period and counts of the header.
    assert!(page.contains(
        "Period covered: <b>2024-10-01 00:03:48+00:00</b> to <b>2025-01-20 23:02:56+00:00</b>"
    ));
    assert!(page.contains("<dt>Lines</dt><dd>75888</dd>"));
    assert!(page.contains("<dt>never</dt><dd class=\"st-never\">"));

    // The at-risk accounts, in report order, each with a card, its
    // timeline, its findings and evidence lines.
    let risky = at_risk(&json);
    for planted in [
        "victor.nowak@example.gov",
        "fatima.rahman@example.gov",
        "ingrid.larsen@example.gov",
        "luca.romano@example.gov",
        "tom.becker@example.gov",
        "audit.temp@example.gov",
    ] {
        assert!(risky.iter().any(|r| r == planted), "{planted} not at risk");
    }
    let table = only(&page, "<table class=\"data\" id=\"t-risk\">", "</table>");
    let mut at = 0;
    for name in &risky {
        let pos = table[at..]
            .find(&format!(">{name}</a>"))
            .unwrap_or_else(|| panic!("{name} not in order in the at-risk table"));
        at += pos;
    }
    let cards = page.matches("<article class=\"card").count();
    assert_eq!(cards, risky.len());
    assert!(page.contains("<b>success_after_failures</b>: 7 failed logins from 2 IPs in 25 min"));
    assert!(page.contains("<code class=\"loc\">sample-logs/mail.log:4958</code>"));
    assert!(page.contains("Recommended action (reset_password):"));

    // Charts: the four of the overview and one per at-risk account, all
    // well-formed, with the overview's data.
    let charts = svgs(&page);
    assert_eq!(charts.len(), 4 + risky.len());
    assert!(
        charts[0].contains("<title>2024-12-14: "),
        "a day with tooltip"
    );
    assert_eq!(charts[0].matches("class=\"hit\"").count(), 112, "112 days");
    assert!(charts[1].contains("failed logins</title>"));
    assert!(
        charts[2].contains(">203.0.113.99</text>"),
        "the sprayer leads"
    );
    assert!(charts[3].contains("failed logins"));
    assert!(charts[4].contains("<title>Timeline of "));
    assert!(charts[4..].iter().all(|c| c.contains("class=\"win\"")));

    // The idle accounts, grouped by unit.
    let idle = only(&page, "<section id=\"idle\">", "</section>");
    for unit in ["<h3>Legal (1)</h3>", "<h3>Inspections (2)</h3>"] {
        assert!(idle.contains(unit), "{unit}");
    }
    assert!(idle.contains(">walter.hoffmann@example.gov</a>"));
    assert!(idle.contains(">beatrix.kiss@example.gov</a>"));

    // Every account has a detail view.
    let n = json["accounts"].as_array().unwrap().len();
    assert_eq!(page.matches("<details id=\"a").count(), n);
    assert!(page.contains("<dt>Client addresses</dt><dd>"));
}

/// A log whose user names are markup, each in a real line: a login of
/// each, and failures then a success for the first (a finding, so its
/// evidence lines are shown).
fn hostile_log(dir: &Path) -> PathBuf {
    let mut t = String::new();
    let names = [
        "<script>alert(1)</script>@example.gov",
        "\"><img src=x onerror=alert(1)>@example.gov",
        "<svg onload=alert(2)>@example.gov",
        "'-alert(3)-'@example.gov",
    ];
    for (i, u) in names.iter().enumerate() {
        t.push_str(&format!(
            "2025-03-01T10:00:{i:02}+00:00 mx1 dovecot: imap-login: Login: user=<{u}>, method=PLAIN, rip=192.0.2.10, lip=198.51.100.5, mpid={i}, TLS, session=<S{i:015}>\n"
        ));
    }
    for k in 0..8 {
        t.push_str(&format!(
            "2025-03-02T11:{k:02}:00+00:00 mx1 dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<{}>, method=PLAIN, rip=203.0.113.{k}, lip=198.51.100.5, session=<F{k:015}>\n",
            names[0]
        ));
    }
    t.push_str(&format!(
        "2025-03-02T11:20:00+00:00 mx1 dovecot: imap-login: Login: user=<{}>, method=PLAIN, rip=203.0.113.9, lip=198.51.100.5, mpid=99, TLS, session=<S{:015}>\n",
        names[0], 99
    ));
    // A name that is not UTF-8 (Latin-1), shown as `\xNN`.
    let mut bytes = t.into_bytes();
    bytes.extend_from_slice(
        b"2025-03-02T12:00:00+00:00 mx1 dovecot: imap-login: Login: user=<caf\xe9@example.gov>, method=PLAIN, rip=192.0.2.11, lip=198.51.100.5, mpid=7, TLS, session=<S000000000000007>\n",
    );
    let p = dir.join("hostile.log");
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn hostile_user_names_are_text_in_the_html_report() {
    let dir = tempfile::tempdir().unwrap();
    let log = hostile_log(dir.path());
    let page = scan("html", &[log.to_str().unwrap()]);
    assert_self_contained(&page);
    for bad in ["<script>alert", "<img", "<svg onload", "'-alert"] {
        assert!(!page.contains(bad), "{bad} in the page");
    }
    for shown in [
        "&lt;script&gt;alert(1)&lt;/script&gt;@example.gov",
        "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;@example.gov",
        "&lt;svg onload=alert(2)&gt;@example.gov",
        "&#39;-alert(3)-&#39;@example.gov",
        "<summary><span>caf\\xe9@example.gov</span>",
    ] {
        assert!(page.contains(shown), "{shown} not shown");
    }
    // Its details are found from the shown name too.
    assert!(page.contains("<dd>192.0.2.11 ×1, last 2025-03-02</dd>"));
    // The finding's evidence (the raw log line) is escaped too.
    assert!(page.contains("<b>success_after_failures</b>"));
    assert!(page.contains("user=&lt;&lt;script&gt;alert(1)&lt;/script&gt;@example.gov&gt;"));
    svgs(&page);
}

// ---- In headless Chromium ----

/// Where chromium is: `$AUTHSWEEP_CHROMIUM` (set by
/// scripts/setup/chromium.sh) or Debian's path. A missing browser fails
/// the test: it is never skipped.
fn chromium() -> PathBuf {
    let p = std::env::var_os("AUTHSWEEP_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        p.exists(),
        "chromium not found at {}: run scripts/test (scripts/setup/chromium.sh installs it)",
        p.display()
    );
    p
}

/// Where the screenshots go: `target/test-artifacts/`.
fn artifacts() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let d = target.join("test-artifacts");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Open `report` in chromium with tests/browser/report.mjs; what it saw.
fn browse(report: &Path, shot: &Path, search: &str) -> Value {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    assert!(
        dir.join("node_modules/playwright-core/package.json")
            .exists(),
        "playwright-core is not installed in tests/browser: run scripts/test"
    );
    let out = std::process::Command::new("node")
        .arg(dir.join("report.mjs"))
        .arg(report)
        .arg(shot)
        .arg(search)
        .env("AUTHSWEEP_CHROMIUM", chromium())
        .output()
        .expect("node runs (scripts/test installs it)");
    assert!(
        out.status.success(),
        "report.mjs failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// Nothing was loaded, logged, thrown or popped up.
fn assert_quiet(seen: &Value) {
    for k in ["requests", "console", "pageErrors", "dialogs"] {
        assert_eq!(seen[k], Value::Array(vec![]), "{k}: {:#}", seen[k]);
    }
    assert_eq!(seen["page"]["images"], 0);
    assert_eq!(seen["page"]["iframes"], 0);
    assert_eq!(seen["page"]["scripts"], 1);
    assert_eq!(seen["page"]["pwned"], false);
}

#[test]
#[ignore = "needs chromium: run scripts/test"]
fn sample_report_in_chromium_sorts_filters_finds_and_loads_nothing() {
    chromium();
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.html");
    std::fs::write(&report, scan("html", &SAMPLE)).unwrap();
    let json: Value = serde_json::from_str(&scan("json", &SAMPLE)).unwrap();
    let shot = artifacts().join("report.png");
    let _ = std::fs::remove_file(&shot);
    let seen = browse(&report, &shot, "victor");
    assert_quiet(&seen);
    let page = &seen["page"];

    // The at-risk accounts, their cards and timelines, and the charts.
    let risky = at_risk(&json);
    assert_eq!(strings(&page["atRisk"]), risky);
    assert_eq!(strings(&page["cards"]), risky);
    assert_eq!(page["cardCharts"], risky.len());
    let charts = page["charts"].as_array().unwrap();
    assert_eq!(charts.len(), 4, "{charts:?}");
    for c in charts {
        assert!(c["width"].as_u64().unwrap() > 300, "{c}");
        assert!(c["height"].as_u64().unwrap() > 100, "{c}");
        assert!(c["elements"].as_u64().unwrap() > 20, "{c}");
    }
    assert_eq!(
        strings(&page["idleUnits"]),
        ["Human Resources (1)", "Inspections (2)", "Legal (1)"]
    );
    let accounts = json["accounts"].as_array().unwrap();
    assert_eq!(page["accounts"].as_array().unwrap().len(), accounts.len());

    // Sorting by failures: most first, then fewest first.
    let sort = &seen["sort"];
    let desc: Vec<u64> = serde_json::from_value(sort["desc"].clone()).unwrap();
    let asc: Vec<u64> = serde_json::from_value(sort["asc"].clone()).unwrap();
    let most = accounts
        .iter()
        .map(|a| a["failures"].as_u64().unwrap())
        .max();
    assert_eq!(desc.first().copied(), most);
    assert!(desc.windows(2).all(|w| w[0] >= w[1]), "{desc:?}");
    assert!(asc.windows(2).all(|w| w[0] <= w[1]), "{asc:?}");
    assert_eq!(desc.len(), accounts.len());
    assert_eq!(sort["ariaSort"], "ascending");

    // Filtering: the status choice, then text in the at-risk table.
    let filter = &seen["filter"];
    let inactive = accounts
        .iter()
        .filter(|a| a["status"] == "inactive")
        .count();
    let shown = strings(&filter["statusShown"]);
    assert_eq!(shown.len(), inactive);
    assert!(shown.iter().all(|s| s == "inactive"), "{shown:?}");
    assert_eq!(
        filter["count"],
        format!("{inactive} of {} rows", accounts.len())
    );
    assert_eq!(filter["allShown"], accounts.len());
    assert_eq!(strings(&filter["riskText"]), ["tom.becker@example.gov"]);

    // The search finds the account, opens its details and shows them.
    let search = &seen["search"];
    assert_eq!(search["result"], "1 account found");
    assert_eq!(strings(&search["shown"]), ["victor.nowak@example.gov"]);
    assert_eq!(search["opened"], "victor.nowak@example.gov");
    assert_eq!(search["inView"], true);
    let detail = search["detail"].as_str().unwrap();
    assert!(detail.contains("198.51.100.200"), "{detail}");
    assert!(detail.contains("dormant_reactivated"), "{detail}");

    // Printing shows every detail.
    assert_eq!(seen["print"]["closedDetails"], 0);
    assert_eq!(seen["print"]["navHidden"], true);

    // The screenshot, kept as an artifact.
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000);
}

#[test]
#[ignore = "needs chromium: run scripts/test"]
fn hostile_user_names_render_as_text_in_chromium() {
    chromium();
    let dir = tempfile::tempdir().unwrap();
    let log = hostile_log(dir.path());
    let report = dir.path().join("hostile.html");
    std::fs::write(&report, scan("html", &[log.to_str().unwrap()])).unwrap();
    let shot = artifacts().join("report-hostile.png");
    let seen = browse(&report, &shot, "<script>");
    // No alert fired, no image or script was made, nothing was loaded.
    assert_quiet(&seen);
    let names = strings(&seen["page"]["accounts"]);
    for want in [
        "<script>alert(1)</script>@example.gov",
        "\"><img src=x onerror=alert(1)>@example.gov",
        "<svg onload=alert(2)>@example.gov",
        "'-alert(3)-'@example.gov",
    ] {
        assert!(names.iter().any(|n| n == want), "{want:?} not in {names:?}");
    }
    assert_eq!(
        strings(&seen["page"]["atRisk"]),
        ["<script>alert(1)</script>@example.gov"]
    );
    assert_eq!(
        seen["search"]["opened"],
        "<script>alert(1)</script>@example.gov"
    );
}

#[test]
fn geoip_places_and_countries_are_in_the_account_details() {
    let geo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/geoip/GeoLite2-City-Test.mmdb");
    let dir = tempfile::tempdir().unwrap();
    let mut t = String::new();
    for (i, (h, ip)) in [
        (10, "81.2.69.142"),
        (12, "67.43.156.1"),
        (13, "2.125.160.217"),
    ]
    .iter()
    .enumerate()
    {
        t.push_str(&format!(
            "2025-03-01T{h}:00:00+00:00 mx1 dovecot: imap-login: Login: user=<ann@example.gov>, method=PLAIN, rip={ip}, lip=198.51.100.5, mpid={i}, TLS, session=<S{i:015}>\n"
        ));
    }
    let log = dir.path().join("geo.log");
    std::fs::write(&log, t).unwrap();
    let page = scan(
        "html",
        &[log.to_str().unwrap(), "--geoip", geo.to_str().unwrap()],
    );
    assert!(page.contains("81.2.69.142 ×1, last 2025-03-01 (London, GB)"));
    assert!(page.contains("<dt>Countries</dt><dd>GB ×2, BT ×1</dd>"));
    // The travel finding makes the account at risk, with the places.
    assert!(page.contains("impossible_travel"));
    assert!(page.contains(" · 67.43.156.1 (BT)") || page.contains(" · 81.2.69.142 (London, GB)"));
}
