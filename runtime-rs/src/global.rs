//! Mutable statics for a single-threaded runtime.

use core::cell::UnsafeCell;

/// A static the runtime mutates. The compiled program is single-threaded and the runtime is
/// not reentrant (no signal handlers), so plain interior mutability is enough.
pub struct Global<T>(UnsafeCell<T>);

// SAFETY: the runtime runs on one thread.
unsafe impl<T> Sync for Global<T> {}

impl<T> Global<T> {
    pub const fn new(value: T) -> Self {
        Global(UnsafeCell::new(value))
    }

    /// A raw pointer to the value.
    #[inline(always)]
    pub fn ptr(&self) -> *mut T {
        self.0.get()
    }

    /// A mutable reference to the value.
    ///
    /// # Safety
    /// The caller must not hold another reference to the same static while using this one.
    #[inline(always)]
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn get(&self) -> &mut T {
        &mut *self.0.get()
    }
}
