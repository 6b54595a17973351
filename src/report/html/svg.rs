//! A small SVG writer for the report's charts: rectangles, paths, lines and
//! text in user units, with every piece of text escaped by the report's one
//! HTML escaping function. Colours come from the stylesheet through class
//! names, which are constants of the code (`&'static str`), never data.
//!
//! It deliberately knows nothing of charts: axes, scales and labels are in
//! `charts.rs`.

use crate::report::text::html as esc;
use std::fmt::{self, Write};

/// A number in user units, with at most one decimal (`12`, `12.5`).
pub struct N(pub f64);

impl fmt::Display for N {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = (self.0 * 10.0).round() / 10.0;
        if v == v.trunc() {
            write!(f, "{}", v as i64)
        } else {
            write!(f, "{v:.1}")
        }
    }
}

/// Where text is anchored.
#[derive(Clone, Copy, Debug)]
pub enum Anchor {
    /// At its start.
    Start,
    /// At its middle.
    Middle,
    /// At its end.
    End,
}

impl Anchor {
    fn as_str(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// The `d` of a path made of many bars: one element for a whole series.
#[derive(Default)]
pub struct Bars {
    d: String,
}

impl Bars {
    /// A bar from (`x`, `y`), `w` wide and `h` high (downwards).
    pub fn add(&mut self, x: f64, y: f64, w: f64, h: f64) {
        if w <= 0.0 || h <= 0.0 {
            return;
        }
        let _ = write!(self.d, "M{} {}h{}v{}h-{}z", N(x), N(y), N(w), N(h), N(w));
    }
}

/// An SVG drawing being written.
pub struct Svg {
    buf: String,
}

impl Svg {
    /// A drawing of `w` by `h` user units; `title` names it for screen
    /// readers and as its tooltip.
    pub fn new(w: f64, h: f64, class: &'static str, title: &str) -> Svg {
        let mut buf = String::with_capacity(4096);
        let _ = write!(
            buf,
            "<svg class=\"chart {class}\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" role=\"img\"><title>{}</title>",
            N(w),
            N(h),
            N(w),
            N(h),
            esc(title)
        );
        Svg { buf }
    }

    /// A rectangle, with an optional tooltip.
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, class: &'static str, tip: Option<&str>) {
        let _ = write!(
            self.buf,
            "<rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"",
            N(x),
            N(y),
            N(w.max(0.0)),
            N(h.max(0.0))
        );
        self.close(tip);
    }

    /// A rectangle filled with its class's colour at `opacity` (0 to 1).
    #[allow(clippy::too_many_arguments)]
    pub fn cell(
        &mut self,
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        class: &'static str,
        opacity: f64,
        tip: &str,
    ) {
        let _ = write!(
            self.buf,
            "<rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill-opacity=\"{:.2}\"",
            N(x),
            N(y),
            N(w),
            N(h),
            opacity.clamp(0.0, 1.0)
        );
        self.close(Some(tip));
    }

    fn close(&mut self, tip: Option<&str>) {
        match tip {
            Some(t) => {
                let _ = write!(self.buf, "><title>{}</title></rect>", esc(t));
            }
            None => self.buf.push_str("/>"),
        }
    }

    /// A series of bars as one path.
    pub fn bars(&mut self, class: &'static str, bars: &Bars) {
        if bars.d.is_empty() {
            return;
        }
        let _ = write!(self.buf, "<path class=\"{class}\" d=\"{}\"/>", bars.d);
    }

    /// A straight line.
    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, class: &'static str) {
        let _ = write!(
            self.buf,
            "<line class=\"{class}\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
            N(x1),
            N(y1),
            N(x2),
            N(y2)
        );
    }

    /// Text at (`x`, `y`) (the baseline), with an optional tooltip.
    pub fn text(&mut self, x: f64, y: f64, anchor: Anchor, class: &'static str, text: &str) {
        let _ = write!(
            self.buf,
            "<text class=\"{class}\" x=\"{}\" y=\"{}\" text-anchor=\"{}\">{}</text>",
            N(x),
            N(y),
            anchor.as_str(),
            esc(text)
        );
    }

    /// The finished `<svg>` element.
    pub fn finish(mut self) -> String {
        self.buf.push_str("</svg>");
        self.buf
    }
}

/// Check that `x` is well-formed XML of the kind this writer makes: tags
/// nest and close, attribute values are quoted and hold no `<`, text holds
/// no `<` or `&` but the five references. Returns the number of elements.
/// The tests use it on every chart.
pub fn well_formed(x: &str) -> Result<usize, String> {
    let mut stack: Vec<String> = Vec::new();
    let mut elements = 0;
    let b = x.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'<' => {
                let end = x[i..].find('>').ok_or("unclosed tag")? + i;
                let tag = &x[i + 1..end];
                if let Some(name) = tag.strip_prefix('/') {
                    let open = stack.pop().ok_or(format!("stray </{name}>"))?;
                    if open != name {
                        return Err(format!("<{open}> closed by </{name}>"));
                    }
                } else {
                    elements += 1;
                    let self_closing = tag.ends_with('/');
                    let tag = tag.trim_end_matches('/');
                    let name = tag.split(' ').next().unwrap_or("");
                    if name.is_empty() || !name.bytes().all(|c| c.is_ascii_alphanumeric()) {
                        return Err(format!("bad tag <{tag}>"));
                    }
                    // Attributes: name="value" with no quote or < inside.
                    let mut rest = &tag[name.len()..];
                    while !rest.trim().is_empty() {
                        rest = rest.trim_start();
                        let eq = rest
                            .find("=\"")
                            .ok_or(format!("bad attribute in <{tag}>"))?;
                        let close = rest[eq + 2..]
                            .find('"')
                            .ok_or(format!("unquoted attribute in <{tag}>"))?;
                        let value = &rest[eq + 2..eq + 2 + close];
                        if value.contains('<') {
                            return Err(format!("< in attribute of <{tag}>"));
                        }
                        rest = &rest[eq + 3 + close..];
                    }
                    if !self_closing {
                        stack.push(name.to_string());
                    }
                }
                i = end + 1;
            }
            b'&' => {
                let end = x[i..].find(';').ok_or("bare &")? + i;
                let r = &x[i + 1..end];
                if !matches!(r, "amp" | "lt" | "gt" | "quot" | "#39") {
                    return Err(format!("unknown reference &{r};"));
                }
                i = end + 1;
            }
            _ => i += 1,
        }
    }
    match stack.pop() {
        Some(open) => Err(format!("<{open}> never closed")),
        None => Ok(elements),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short() {
        assert_eq!(N(12.0).to_string(), "12");
        assert_eq!(N(12.04).to_string(), "12");
        assert_eq!(N(12.46).to_string(), "12.5");
        assert_eq!(N(-3.0).to_string(), "-3");
    }

    #[test]
    fn text_and_titles_are_escaped() {
        let mut s = Svg::new(10.0, 10.0, "t", "<title>\"x\"");
        s.text(
            1.0,
            2.0,
            Anchor::End,
            "l",
            "</svg><script>alert(1)</script>",
        );
        s.rect(0.0, 0.0, 1.0, 1.0, "b", Some("a&b"));
        let out = s.finish();
        assert!(!out.contains("<script"), "{out}");
        assert!(out.contains("&lt;/svg&gt;&lt;script&gt;"), "{out}");
        assert!(
            out.contains("<title>&lt;title&gt;&quot;x&quot;</title>"),
            "{out}"
        );
        assert!(out.contains("<title>a&amp;b</title></rect>"), "{out}");
        assert!(out.ends_with("</text><rect class=\"b\" x=\"0\" y=\"0\" width=\"1\" height=\"1\"><title>a&amp;b</title></rect></svg>"));
    }
}
