//! Cycle detection for printing. A value with a cycle is printed with datum labels, as Chez
//! Scheme does (it switches to `print-graph` when `write` finds a cycle): every pair or vector
//! reached more than once gets a label, `#0=(1 2 . #0#)`. Values without cycles print
//! without labels, shared or not. `display` does the same (R7RS requires it to terminate).
//!
//! First a plain walk with a step budget: a walk that ends has found no cycle, and the
//! common case costs no memory. Past the budget, a depth-first search with an explicit stack
//! and a hash table in scratch arena space finds the cycles and the shared objects.

use crate::arena;
use crate::layout::*;
use crate::mem::{copy_bytes, fill_bytes};
use crate::value::*;
use crate::Value;

/// Steps of the plain walk before switching to the real search.
const WALK_BUDGET: usize = 100_000;

/// Hash table states: bits, and the label number above them once it is printed.
const SEEN: u64 = 1;
const ON_PATH: u64 = 2;
const SHARED: u64 = 4;
const LABELLED: u64 = 8;
const LABEL_SHIFT: u64 = 4;

fn is_compound(v: Value) -> bool {
    is_pair(v) || is_kind(v, KIND_VECTOR)
}

/// Walks `v` without remembering anything; false when the budget runs out.
fn walk(mut v: Value, budget: &mut usize) -> bool {
    loop {
        if *budget == 0 {
            return false;
        }
        *budget -= 1;
        if is_pair(v) {
            if !walk(car(v), budget) {
                return false;
            }
            v = cdr(v);
        } else if is_kind(v, KIND_VECTOR) {
            for i in 0..header_length(v) {
                if !walk(slot_ref(v, i), budget) {
                    return false;
                }
            }
            return true;
        } else {
            return true;
        }
    }
}

/// An open-addressing table from object addresses to states, in the arena.
pub struct Labels {
    keys: *mut u64,
    states: *mut u64,
    capacity: usize,
    count: usize,
    next_label: u64,
    mark: usize,
}

impl Labels {
    fn new(capacity: usize) -> Option<Labels> {
        let bytes = capacity.checked_mul(16)?;
        if bytes > arena::available() / 2 {
            return None;
        }
        let keys = arena::alloc(capacity * 8) as *mut u64;
        let states = arena::alloc(capacity * 8) as *mut u64;
        // Scratch space is reused after `release`, so it is not necessarily zero.
        unsafe { fill_bytes(keys as *mut u8, 0, capacity * 8) };
        Some(Labels { keys, states, capacity, count: 0, next_label: 0, mark: 0 })
    }

    fn index(&self, v: Value) -> usize {
        let mut i = ((v >> 3).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 20) as usize & (self.capacity - 1);
        loop {
            let k = unsafe { *self.keys.add(i) };
            if k == v || k == 0 {
                return i;
            }
            i = (i + 1) & (self.capacity - 1);
        }
    }

    /// The state of `v`, 0 if not seen.
    pub fn state(&self, v: Value) -> u64 {
        let i = self.index(v);
        if unsafe { *self.keys.add(i) } == v {
            unsafe { *self.states.add(i) }
        } else {
            0
        }
    }

    fn set(&mut self, v: Value, state: u64) -> bool {
        if (self.count + 1) * 2 > self.capacity && !self.grow() {
            return false;
        }
        let i = self.index(v);
        unsafe {
            if *self.keys.add(i) == 0 {
                *self.keys.add(i) = v;
                self.count += 1;
            }
            *self.states.add(i) = state;
        }
        true
    }

    fn grow(&mut self) -> bool {
        let Some(mut bigger) = Labels::new(self.capacity * 2) else { return false };
        for i in 0..self.capacity {
            let k = unsafe { *self.keys.add(i) };
            if k != 0 {
                let j = bigger.index(k);
                unsafe {
                    *bigger.keys.add(j) = k;
                    *bigger.states.add(j) = *self.states.add(i);
                }
                bigger.count += 1;
            }
        }
        bigger.mark = self.mark;
        *self = bigger;
        true
    }

    /// For a shared object: its label and whether it was printed already.
    /// None for objects that need no label.
    pub fn label(&mut self, v: Value) -> Option<(u64, bool)> {
        let s = self.state(v);
        if s & LABELLED != 0 {
            Some((s >> LABEL_SHIFT, true))
        } else if s & SHARED != 0 {
            let n = self.next_label;
            self.next_label += 1;
            self.set(v, s | LABELLED | (n << LABEL_SHIFT));
            Some((n, false))
        } else {
            None
        }
    }

    /// Gives the scratch space back to the arena.
    pub fn release(self) {
        arena::release(self.mark);
    }
}

/// A growable stack of (object, next child) in the arena.
struct Stack {
    items: *mut [u64; 2],
    len: usize,
    capacity: usize,
}

impl Stack {
    fn push(&mut self, v: Value) -> bool {
        if self.len == self.capacity {
            let capacity = self.capacity.max(64) * 2;
            if capacity * 16 > arena::available() / 2 {
                return false;
            }
            let items = arena::alloc(capacity * 16) as *mut [u64; 2];
            unsafe { copy_bytes(items as *mut u8, self.items as *const u8, self.len * 16) };
            self.items = items;
            self.capacity = capacity;
        }
        unsafe { *self.items.add(self.len) = [v, 0] };
        self.len += 1;
        true
    }
}

/// The labels `v` needs when printed, or None if it has no cycle (or is too big to search).
pub fn find(v: Value) -> Option<Labels> {
    if !is_compound(v) {
        return None;
    }
    let mut budget = WALK_BUDGET;
    if walk(v, &mut budget) {
        return None;
    }
    let mark = arena::mark();
    let found = search(v);
    match found {
        Some(mut labels) => {
            labels.mark = mark;
            Some(labels)
        }
        None => {
            arena::release(mark);
            None
        }
    }
}

fn search(root: Value) -> Option<Labels> {
    let mut labels = Labels::new(1024)?;
    let mut stack = Stack { items: core::ptr::null_mut(), len: 0, capacity: 0 };
    let mut cycle = false;
    if !labels.set(root, SEEN | ON_PATH) || !stack.push(root) {
        return None;
    }
    while stack.len > 0 {
        let top = unsafe { &mut *stack.items.add(stack.len - 1) };
        let v = top[0];
        let i = top[1] as usize;
        let child = if is_pair(v) {
            match i {
                0 => Some(car(v)),
                1 => Some(cdr(v)),
                _ => None,
            }
        } else if i < header_length(v) {
            Some(slot_ref(v, i))
        } else {
            None
        };
        top[1] += 1;
        let Some(c) = child else {
            let s = labels.state(v);
            labels.set(v, s & !ON_PATH);
            stack.len -= 1;
            continue;
        };
        if !is_compound(c) {
            continue;
        }
        let s = labels.state(c);
        if s == 0 {
            if !labels.set(c, SEEN | ON_PATH) || !stack.push(c) {
                return None;
            }
        } else {
            cycle |= s & ON_PATH != 0;
            if !labels.set(c, s | SHARED) {
                return None;
            }
        }
    }
    if cycle {
        Some(labels)
    } else {
        None
    }
}

impl Labels {
    /// Does `v` carry a label (printed or not)? In a list's tail, such a pair must be printed
    /// after a dot, not spliced into the list.
    pub fn label_needed(&self, v: Value) -> bool {
        self.state(v) & (SHARED | LABELLED) != 0
    }
}
