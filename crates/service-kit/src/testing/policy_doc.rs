//! The policy table a service's docs/policy/<service>.md page shows, checked against the
//! table its code answers, so that the two cannot drift.
//!
//! A page holds one policy table: the block of Markdown table lines that starts with the
//! heading row whose first cell is `action`. Its cells are compared as written, trimmed
//! (spacing is layout, not content); the leading cells of a row (the action, and for
//! iam-svc its request) are code spans.

use crate::policy::{Answer, CallerKind};

/// A policy table, row by row: the headings, then one row per action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyTable {
    rows: Vec<Vec<String>>,
}

impl PolicyTable {
    /// A table with these column headings (the first is `action`).
    pub fn new<'a>(headings: impl IntoIterator<Item = &'a str>) -> PolicyTable {
        PolicyTable {
            rows: vec![headings.into_iter().map(str::to_string).collect()],
        }
    }

    /// Adds a row: `code` cells (the action's name, its route) written as code spans,
    /// then the answer cells.
    pub fn row<'a>(&mut self, code: &[&str], cells: impl IntoIterator<Item = &'a str>) {
        let row = code
            .iter()
            .map(|c| format!("`{c}`"))
            .chain(cells.into_iter().map(str::to_string))
            .collect();
        self.rows.push(row);
    }

    /// The policy table of a Markdown page. Panics when the page has none, or when its
    /// separator row would keep Markdown from rendering it as a table.
    pub fn parse(doc: &str) -> PolicyTable {
        let mut lines = doc
            .lines()
            .map(str::trim)
            .skip_while(|l| !l.starts_with('|') || cells(l)[0] != "action")
            .take_while(|l| l.starts_with('|'))
            .map(cells);
        let Some(headings) = lines.next() else {
            panic!("no table with an `action` column in:\n{doc}");
        };
        let separator = lines.next().unwrap_or_default();
        let dashes = |c: &String| !c.is_empty() && c.chars().all(|ch| ch == '-' || ch == ':');
        assert!(
            separator.len() == headings.len() && separator.iter().all(dashes),
            "the table's second line must separate its {} headings: {separator:?}",
            headings.len()
        );
        let mut rows = vec![headings];
        rows.extend(lines);
        PolicyTable { rows }
    }

    /// The table as Markdown, as the page should show it.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        for (i, row) in self.rows.iter().enumerate() {
            out.push_str(&format!("| {} |\n", row.join(" | ")));
            if i == 0 {
                out.push_str(&format!("|{}\n", "---|".repeat(row.len())));
            }
        }
        out
    }

    /// Asserts that the page at `path` shows this table.
    pub fn assert_documented(&self, path: &str) {
        let doc = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(
            PolicyTable::parse(&doc),
            *self,
            "{path} differs from the code's table, which is:\n{}",
            self.markdown()
        );
    }
}

/// The table of a project-scoped service (swr-svc, lakeformation-svc): the action's name,
/// then its documented answer for each column of [`CallerKind::ALL`].
pub fn project_table<A: Copy>(
    actions: &[A],
    name: impl Fn(A) -> &'static str,
    documented: impl Fn(A, CallerKind) -> Answer,
) -> PolicyTable {
    let headings = CallerKind::ALL.map(CallerKind::heading);
    let mut table = PolicyTable::new(std::iter::once("action").chain(headings));
    for &action in actions {
        let cells = CallerKind::ALL.map(|k| documented(action, k).cell());
        table.row(&[name(action)], cells);
    }
    table
}

/// The cells of a Markdown table line, trimmed.
fn cells(line: &str) -> Vec<String> {
    line.trim()
        .trim_matches('|')
        .split('|')
        .map(|c| c.trim().to_string())
        .collect()
}

/// Holds a service's table to [`crate::policy::ACTIONS`]: every row names a listed
/// action, and every listed action with the service's prefix (`swr:`) is some row's.
pub fn assert_catalogued<'a>(prefix: &str, rows: impl IntoIterator<Item = &'a str>) {
    let mut named: Vec<&str> = rows.into_iter().map(crate::policy::policy_action).collect();
    named.sort_unstable();
    named.dedup();
    let mut listed: Vec<&str> = crate::policy::ACTIONS
        .iter()
        .copied()
        .filter(|a| a.starts_with(prefix))
        .collect();
    listed.sort_unstable();
    assert_eq!(
        named, listed,
        "the table's actions and service_kit::policy::ACTIONS differ"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> PolicyTable {
        let mut table = PolicyTable::new(["action", "admin", "member"]);
        table.row(&["svc:thing:create"], ["yes", "no"]);
        table.row(&["svc:thing:delete"], ["yes", "own"]);
        table
    }

    #[test]
    fn a_page_shows_the_table_whatever_its_spacing_and_prose() {
        let doc = "# Policy\n\n| column | who |\n|---|---|\n| admin | a user |\n\nThe table:\n\n\
                   |action|admin|member|\n| --- | :-: | --- |\n\
                   | `svc:thing:create` |   yes | no |\n| `svc:thing:delete` | yes | own |\n\n\
                   | action | notes |\n";
        assert_eq!(PolicyTable::parse(doc), table());
        assert_eq!(PolicyTable::parse(&table().markdown()), table());
    }

    #[test]
    fn a_changed_cell_or_a_missing_row_is_a_difference() {
        let changed = table().markdown().replace("own", "yes");
        assert_ne!(PolicyTable::parse(&changed), table());
        let missing = table()
            .markdown()
            .replace("| `svc:thing:delete` | yes | own |\n", "");
        assert_ne!(PolicyTable::parse(&missing), table());
        let plain = table().markdown().replace('`', "");
        assert_ne!(PolicyTable::parse(&plain), table());
    }

    #[test]
    fn a_project_scoped_table_has_a_column_per_caller_kind() {
        let table = project_table(
            &["svc:thing:list"],
            |a| a,
            |_, k| match k {
                CallerKind::Internal => Answer::Unauthenticated,
                _ => Answer::Granted(crate::policy::Grant::Yes),
            },
        );
        let markdown = table.markdown();
        let mut lines = markdown.lines();
        assert_eq!(
            lines.next(),
            Some(
                "| action | admin | member | readonly | other project | other domain \
                 | permanent key | temporary key | disabled or deleted user | internal caller |"
            )
        );
        assert_eq!(
            lines.nth(1),
            Some("| `svc:thing:list` | yes | yes | yes | yes | yes | yes | yes | yes | 401 |")
        );
    }

    #[test]
    #[should_panic(expected = "separate its 3 headings")]
    fn a_separator_short_of_a_column_is_refused() {
        PolicyTable::parse("| action | admin | member |\n|---|---|\n| `a` | yes | no |\n");
    }
}
