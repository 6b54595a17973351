//! Changes to a whole aggregate after the merge: new file ids (states from
//! several runs or shards share one file table), line numbers (a scan
//! numbers lines within blocks and fixes them up after the parallel pass)
//! and roster aliases. Refs are changed by one walk, [`Aggregate::map_refs`].

use super::{Aggregate, AliasMap, Ref};
use crate::account::AccountId;

impl Ref {
    /// This ref with its file id mapped through `map` (old id → new id).
    /// "No line" refs (line 0) and the identity sentinels of empty buckets
    /// (file ids past the table) stay as they are.
    fn remapped(self, map: &[u32]) -> Ref {
        if self.line() == 0 {
            return self;
        }
        match map.get(self.file() as usize) {
            Some(&f) => Ref::new(self.ts, f, self.line()),
            None => self,
        }
    }
}

impl Aggregate {
    /// Give every file a new id: `map[old] = new`. When `map` keeps the
    /// order of the ids it changes no comparison between refs, so the
    /// result is what reading the files under the new ids would have given.
    pub fn remap_files(&mut self, map: &[u32]) {
        if map.iter().enumerate().all(|(i, &n)| i as u32 == n) {
            return;
        }
        self.map_refs(|r| r.remapped(map));
        let files = std::mem::take(&mut self.files);
        for (id, c) in files {
            let id = map.get(id as usize).copied().unwrap_or(id);
            self.files.entry(id).or_default().merge(&c);
        }
    }

    /// Give every ref a new line number, `line(file, line)`, which must
    /// keep the order of the lines of each file, so that no comparison
    /// between refs changes. "No line" refs (line 0) stay as they are.
    pub fn map_lines(&mut self, line: impl Fn(u32, u64) -> u64 + Sync) {
        self.map_refs(|r| match r.line() {
            0 => r,
            l => Ref::new(r.ts, r.file(), line(r.file(), l)),
        });
    }

    /// Replace every ref `r` of the aggregate with `f(r)` (time unchanged);
    /// the accounts and addresses on the pool's threads.
    fn map_refs(&mut self, f: impl Fn(Ref) -> Ref + Sync) {
        use rayon::prelude::*;
        let m = |r: &mut Ref| *r = f(*r);
        let mo = |r: &mut Option<Ref>| {
            if let Some(r) = r {
                *r = f(*r);
            }
        };
        self.accounts.par_iter_mut().for_each(|(_, a)| {
            mo(&mut a.first_seen);
            mo(&mut a.last_attempt);
            mo(&mut a.first_login);
            mo(&mut a.password_changed);
            if let Some(l) = &mut a.last_login {
                m(&mut l.at);
            }
            if let Some((r, _)) = &mut a.cleartext_first {
                m(r);
            }
            if let Some((r, _)) = &mut a.cleartext_last {
                m(r);
            }
            for f in &mut a.forwards {
                m(&mut f.at);
            }
            a.forwards.sort();
            a.successes.map_refs(m);
            for b in a.fails.values_mut() {
                m(&mut b.first);
                m(&mut b.last);
            }
            for b in a.submits.values_mut() {
                m(&mut b.first);
                m(&mut b.last);
            }
        });
        self.ips.par_iter_mut().for_each(|(_, i)| {
            for b in i.fails.values_mut() {
                m(&mut b.first);
                m(&mut b.last);
            }
        });
        for c in self.files.values_mut().chain(self.sources.values_mut()) {
            c.samples.map_in_place(&f);
        }
    }

    /// Fold the data of each alias into its account (roster `aliases`):
    /// `bob.smith@` and `bsmith@` become one account. Done after the merge,
    /// so that states and shards do not depend on the roster they were
    /// read with.
    pub fn apply_aliases(&mut self, aliases: &AliasMap) {
        if aliases.is_empty() || !aliases.keys().any(|id| self.accounts.contains_key(id)) {
            return;
        }
        let mut ids: Vec<AccountId> = aliases
            .keys()
            .filter(|id| self.accounts.contains_key(id))
            .copied()
            .collect();
        ids.sort_unstable();
        for id in ids {
            let (target, name) = &aliases[&id];
            let Some(data) = self.accounts.remove(&id) else {
                continue;
            };
            let t = self.accounts.entry(*target).or_default();
            if t.name.is_empty() {
                t.name = name.clone();
            }
            t.merge(*data);
        }
        let to = |id: AccountId| aliases.get(&id).map_or(id, |(t, _)| *t);
        for i in self.ips.values_mut() {
            for b in i.fails.values_mut() {
                if b.accounts.iter().any(|id| aliases.contains_key(id)) {
                    b.accounts.map_in_place(to);
                }
                if b.unknown.iter().any(|id| aliases.contains_key(id)) {
                    b.unknown.map_in_place(to);
                }
            }
        }
    }
}
