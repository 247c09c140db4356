//! Lists as they are read back: each aggregate's query returns a list
//! table's values for its row as one JSON array (`json_group_array` in
//! the list's order), which costs one query per aggregate, not one per
//! list.

use serde::de::DeserializeOwned;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::{StoreResult, parse};

/// The list in column `i` of a row, a JSON array as the query built it.
pub fn parsed<T: DeserializeOwned>(row: &SqliteRow, i: usize, table: &str) -> StoreResult<Vec<T>> {
    let text: String = row.try_get(i)?;
    parse(&text, table)
}

/// A list index as the stored position.
pub fn position(i: usize) -> i64 {
    i64::try_from(i).unwrap_or(i64::MAX)
}
