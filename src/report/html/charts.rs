//! The report's charts, drawn as inline SVG: successes and failures per
//! day (the whole period, and each at-risk account's own), failures by hour
//! of day and day of week, and horizontal bars for the "top" lists. Each
//! function takes plain numbers and labels and returns one `<svg>` element;
//! labels are escaped by the SVG writer.

use super::data::{Days, Window, WEEKDAYS};
use super::svg::{Anchor, Bars, Svg};
use crate::parse::time::civil_from_days;

/// Left margin for the value labels of the day charts.
const LEFT: f64 = 64.0;

/// Sizes of a day chart.
#[derive(Clone, Copy, Debug)]
pub struct Size {
    /// Width.
    pub width: f64,
    /// Height of each of the two panels.
    pub panel: f64,
    /// Whether each bar gets a tooltip (the overview) or not (the many
    /// small account timelines, kept small).
    pub tips: bool,
}

/// The overview's size.
pub const BIG: Size = Size {
    width: 960.0,
    panel: 110.0,
    tips: true,
};

/// An account timeline's size.
pub const SMALL: Size = Size {
    width: 720.0,
    panel: 48.0,
    tips: false,
};

/// Successes (upper panel) and failures (lower panel) per bar of `days`,
/// each panel on its own scale, with findings' windows shaded behind.
pub fn daily(
    days: &Days,
    succ: &[u64],
    fail: &[u64],
    windows: &[Window],
    size: Size,
    title: &str,
) -> String {
    let gap = 14.0;
    let axis = 18.0;
    let height = 2.0 * size.panel + gap + axis;
    let mut s = Svg::new(size.width, height, "daily", title);
    let n = days.bins.max(1);
    let plot = size.width - LEFT - 6.0;
    let bw = plot / n as f64;
    let x_of = |i: usize| LEFT + i as f64 * bw;
    let bottom = 2.0 * size.panel + gap;
    for w in windows {
        s.rect(
            x_of(w.from),
            0.0,
            (w.to + 1 - w.from) as f64 * bw,
            bottom,
            "win",
            Some(&w.tip),
        );
    }
    let panels = [
        (succ, 0.0, "ok", "logins"),
        (fail, size.panel + gap, "bad", "failures"),
    ];
    for (vals, top, class, what) in panels {
        let max = vals.iter().copied().max().unwrap_or(0);
        let mut bars = Bars::default();
        if max > 0 {
            for (i, v) in vals.iter().enumerate() {
                let h = (*v as f64 / max as f64) * (size.panel - 2.0);
                // At least a pixel for any count, so one failure shows.
                let h = if *v > 0 { h.max(1.0) } else { 0.0 };
                bars.add(x_of(i) + bw * 0.1, top + size.panel - h, bw * 0.8, h);
            }
        }
        s.bars(class, &bars);
        s.line(
            LEFT,
            top + size.panel,
            LEFT + plot,
            top + size.panel,
            "axis",
        );
        s.text(LEFT - 6.0, top + 10.0, Anchor::End, "lbl", &max.to_string());
        s.text(
            LEFT - 6.0,
            top + size.panel,
            Anchor::End,
            "lbl",
            &format!("0 {what}"),
        );
    }
    // Month ticks (every month, or every k-th when there are many).
    let mut months = Vec::new();
    let mut prev = None;
    for i in 0..n {
        let (y, m, _) = civil_from_days(days.day(i));
        if prev != Some((y, m)) {
            months.push((i, y, m));
            prev = Some((y, m));
        }
    }
    let step = months.len().div_ceil(if size.tips { 12 } else { 8 }).max(1);
    for (k, (i, y, m)) in months.iter().enumerate() {
        if k % step != 0 {
            continue;
        }
        let x = x_of(*i);
        s.line(x, bottom, x, bottom + 4.0, "axis");
        s.text(
            x + 2.0,
            bottom + axis - 4.0,
            Anchor::Start,
            "lbl",
            &format!("{y:04}-{m:02}"),
        );
    }
    if size.tips {
        for i in 0..days.bins {
            s.rect(
                x_of(i),
                0.0,
                bw,
                bottom,
                "hit",
                Some(&format!(
                    "{}: {} successful logins, {} failed logins",
                    days.label(i),
                    succ.get(i).unwrap_or(&0),
                    fail.get(i).unwrap_or(&0)
                )),
            );
        }
    }
    s.finish()
}

/// Failures by weekday (rows, Monday first) and hour of day (columns).
pub fn heatmap(counts: &[[u64; 24]; 7], title: &str) -> String {
    let (left, top, cw, ch) = (40.0, 18.0, 30.0, 22.0);
    let w = left + 24.0 * cw + 4.0;
    let h = top + 7.0 * ch + 4.0;
    let mut s = Svg::new(w, h, "heat", title);
    let max = counts.iter().flatten().copied().max().unwrap_or(0);
    for hour in (0..24).step_by(3) {
        s.text(
            left + hour as f64 * cw + cw / 2.0,
            top - 5.0,
            Anchor::Middle,
            "lbl",
            &format!("{hour:02}h"),
        );
    }
    for (d, row) in counts.iter().enumerate() {
        let y = top + d as f64 * ch;
        s.text(left - 6.0, y + ch * 0.7, Anchor::End, "lbl", WEEKDAYS[d]);
        for (hour, v) in row.iter().enumerate() {
            let tip = format!(
                "{} {hour:02}:00 to {:02}:00: {v} failed logins",
                WEEKDAYS[d],
                hour + 1
            );
            let x = left + hour as f64 * cw;
            if *v == 0 || max == 0 {
                s.cell(x + 1.0, y + 1.0, cw - 2.0, ch - 2.0, "heat0", 1.0, &tip);
            } else {
                let o = 0.12 + 0.88 * (*v as f64 / max as f64);
                s.cell(x + 1.0, y + 1.0, cw - 2.0, ch - 2.0, "heat", o, &tip);
            }
        }
    }
    s.finish()
}

/// One entry of a bar list.
#[derive(Clone, Debug)]
pub struct Item {
    /// Its label (shortened when long; the tooltip has it whole).
    pub label: String,
    /// Its value.
    pub value: u64,
    /// Its tooltip.
    pub tip: String,
}

/// Labels longer than this are shortened.
const LABEL_CHARS: usize = 44;

/// Horizontal bars, largest first as given.
pub fn hbars(items: &[Item], class: &'static str, title: &str) -> String {
    let (label_w, row, width) = (330.0, 20.0, 960.0);
    let plot = width - label_w - 70.0;
    let h = items.len().max(1) as f64 * row + 4.0;
    let mut s = Svg::new(width, h, "hbars", title);
    let max = items.iter().map(|i| i.value).max().unwrap_or(0).max(1);
    for (k, it) in items.iter().enumerate() {
        let y = k as f64 * row + 2.0;
        let label: String = if it.label.chars().count() > LABEL_CHARS {
            let mut t: String = it.label.chars().take(LABEL_CHARS - 1).collect();
            t.push('…');
            t
        } else {
            it.label.clone()
        };
        s.text(label_w - 8.0, y + row * 0.7, Anchor::End, "lbl", &label);
        let w = (it.value as f64 / max as f64 * plot).max(1.0);
        s.rect(label_w, y + 3.0, w, row - 6.0, class, Some(&it.tip));
        s.text(
            label_w + w + 6.0,
            y + row * 0.7,
            Anchor::Start,
            "lbl",
            &it.value.to_string(),
        );
    }
    s.finish()
}

#[cfg(test)]
mod tests {
    use super::super::svg::well_formed;
    use super::*;

    fn days(n: usize) -> Days {
        // 2024-10-01 is day 19_997.
        let d = Days {
            first: 19_997,
            per_bin: 1,
            bins: n,
        };
        assert_eq!(d.label(0), "2024-10-01");
        d
    }

    #[test]
    fn day_chart_is_well_formed_with_one_tooltip_per_day_and_month_ticks() {
        let d = days(112);
        let succ: Vec<u64> = (0..112).map(|i| i % 7).collect();
        let fail: Vec<u64> = (0..112).map(|i| if i == 50 { 900 } else { 1 }).collect();
        let w = Window {
            from: 50,
            to: 51,
            tip: "brute_force (medium): <x> & y".into(),
        };
        let svg = daily(&d, &succ, &fail, &[w], BIG, "per day \"all\"");
        well_formed(&svg).unwrap();
        assert_eq!(svg.matches("class=\"hit\"").count(), 112);
        assert!(svg.contains("2024-11-20: 1 successful logins, 900 failed logins"));
        for m in ["2024-10", "2024-11", "2024-12", "2025-01"] {
            assert!(svg.contains(&format!(">{m}</text>")), "{m}");
        }
        assert!(svg.contains("&lt;x&gt; &amp; y"));
        // The small form has no per-day tooltips.
        let small = daily(&d, &succ, &fail, &[], SMALL, "t");
        well_formed(&small).unwrap();
        assert!(!small.contains("class=\"hit\""));
        assert!(small.len() < svg.len() / 2);
    }

    #[test]
    fn empty_data_still_draws_a_well_formed_chart() {
        well_formed(&daily(&Days::default(), &[], &[], &[], BIG, "x")).unwrap();
        well_formed(&heatmap(&[[0; 24]; 7], "x")).unwrap();
        well_formed(&hbars(&[], "bad", "x")).unwrap();
    }

    #[test]
    fn heatmap_has_a_cell_per_hour_and_weekday_shaded_by_count() {
        let mut c = [[0u64; 24]; 7];
        c[1][3] = 10;
        c[6][23] = 5;
        let svg = heatmap(&c, "by hour");
        assert_eq!(well_formed(&svg).unwrap(), 1 + 1 + 8 + 7 + 2 * 168);
        assert!(svg.contains("fill-opacity=\"1.00\"><title>Tue 03:00 to 04:00: 10 failed logins"));
        assert!(svg.contains("fill-opacity=\"0.56\"><title>Sun 23:00 to 24:00: 5 failed logins"));
    }

    #[test]
    fn bar_labels_are_escaped_and_shortened() {
        let items = vec![
            Item {
                label: "\"><img src=x onerror=alert(1)>@example.gov-and-a-very-long-tail".into(),
                value: 40,
                tip: "<script>alert(1)</script>".into(),
            },
            Item {
                label: "bob".into(),
                value: 4,
                tip: "bob: 4".into(),
            },
        ];
        let svg = hbars(&items, "bad", "top");
        well_formed(&svg).unwrap();
        assert!(!svg.contains("<img") && !svg.contains("<script"), "{svg}");
        assert!(svg.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;@example.gov-…"));
    }

    #[test]
    fn the_checker_catches_broken_markup() {
        assert!(well_formed("<svg><rect/></svg>").is_ok());
        assert!(well_formed("<svg><rect></svg>").is_err());
        assert!(well_formed("<svg><text>a<b</text></svg>").is_err());
        assert!(well_formed("<svg><text>a&b</text></svg>").is_err());
        assert!(well_formed("<svg x=1></svg>").is_err());
    }
}
