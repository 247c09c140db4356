//! The one CSV writer of every file the product writes (the audit export,
//! the access report on the server and in the CLI): RFC 4180 through the
//! `csv` crate, with every cell a spreadsheet would run as a formula
//! written as text.

/// A CSV file: the header row, then one row per item.
pub fn csv_file<'a, R, C>(header: &[&str], rows: R) -> String
where
    R: IntoIterator<Item = C>,
    C: IntoIterator<Item = &'a str>,
{
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Writing into memory cannot fail; a row that did would be left out
    // rather than panic, and the test below would notice.
    let _ = out.write_record(header);
    for row in rows {
        let _ = out.write_record(row.into_iter().map(as_text));
    }
    let bytes = out.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// A cell that starts as a formula would (`=`, `+`, `-`, `@`, a tab or a
/// carriage return: OWASP's list) is led by `'`, so spreadsheets show it
/// as text instead of running it.
fn as_text(cell: &str) -> std::borrow::Cow<'_, [u8]> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}").into_bytes())
    } else {
        std::borrow::Cow::Borrowed(cell.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_when_needed() {
        let text = csv_file(
            &["a", "b"],
            [["plain", "a,b"], ["say \"hi\"", "two\nlines"]],
        );
        assert_eq!(
            text,
            "a,b\nplain,\"a,b\"\n\"say \"\"hi\"\"\",\"two\nlines\"\n"
        );
    }

    #[test]
    fn formulas_are_written_as_text() {
        for formula in [
            "=1+1",
            "+1",
            "-1",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "=HYPERLINK(\"http://x\",\"y\")",
        ] {
            let text = csv_file(&["c"], [[formula]]);
            let cell = text
                .lines()
                .nth(1)
                .unwrap_or_default()
                .trim_start_matches('"');
            assert!(cell.starts_with('\''), "{formula:?} became {text:?}");
        }
        assert_eq!(
            csv_file(&["c"], [["dana@example.com"]]),
            "c\ndana@example.com\n"
        );
    }
}
