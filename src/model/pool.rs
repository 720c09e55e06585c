//! A pool of ONNX Runtime sessions.
//!
//! `ort::Session::run` takes `&mut self`, so one session serves one batch at a
//! time. The pool holds one session per worker; a worker borrows a session for
//! one batch and gives it back.

use std::sync::{Condvar, Mutex};

pub(crate) struct SessionPool {
    free: Mutex<Vec<ort::session::Session>>,
    returned: Condvar,
    size: usize,
}

impl SessionPool {
    pub(crate) fn new(sessions: Vec<ort::session::Session>) -> Self {
        let size = sessions.len();
        SessionPool { free: Mutex::new(sessions), returned: Condvar::new(), size }
    }

    pub(crate) fn size(&self) -> usize {
        self.size
    }

    /// Runs `f` with a session of its own, waiting for one to be free.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut ort::session::Session) -> R) -> R {
        let session = {
            let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
            loop {
                if let Some(s) = free.pop() {
                    break s;
                }
                free = self.returned.wait(free).unwrap_or_else(|e| e.into_inner());
            }
        };
        // Give the session back even if `f` panics, so the pool never shrinks.
        struct Return<'a> {
            pool: &'a SessionPool,
            session: Option<ort::session::Session>,
        }
        impl Drop for Return<'_> {
            fn drop(&mut self) {
                if let Some(s) = self.session.take() {
                    self.pool.free.lock().unwrap_or_else(|e| e.into_inner()).push(s);
                    self.pool.returned.notify_one();
                }
            }
        }
        let mut guard = Return { pool: self, session: Some(session) };
        f(guard.session.as_mut().expect("session is present until drop"))
    }
}
