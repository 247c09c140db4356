//! Reading a join table back into each owner's list, in its stored order.

use std::collections::HashMap;

use sqlx::{Row, SqliteConnection};

use super::StoreResult;

/// `sql` selects `(owner, value)` ordered by owner and position, with
/// `bound` bound to its one parameter when given; the answer maps each
/// owner to its values in that order.
pub async fn by_owner(
    conn: &mut SqliteConnection,
    sql: &str,
    bound: Option<i64>,
) -> StoreResult<HashMap<String, Vec<String>>> {
    let mut q = sqlx::query(sql);
    if let Some(b) = bound {
        q = q.bind(b);
    }
    let mut lists: HashMap<String, Vec<String>> = HashMap::new();
    for row in q.fetch_all(conn).await? {
        lists
            .entry(row.try_get(0)?)
            .or_default()
            .push(row.try_get(1)?);
    }
    Ok(lists)
}

/// The values of one owner (`sql` selects them, ordered, for `owner`).
pub async fn of(conn: &mut SqliteConnection, sql: &str, owner: &str) -> StoreResult<Vec<String>> {
    let rows = sqlx::query(sql).bind(owner).fetch_all(conn).await?;
    rows.iter()
        .map(|r| r.try_get(0).map_err(Into::into))
        .collect()
}

/// A list index as the stored position.
pub fn position(i: usize) -> i64 {
    i64::try_from(i).unwrap_or(i64::MAX)
}
