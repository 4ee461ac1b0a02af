//! Hosts for the plugin's `.wasm`, calling it exactly as Fluent Bit's wasm
//! filter does.
//!
//! Fluent Bit (WAMR) instantiates the module once, then per record: copies
//! the tag and the record (JSON) into guest memory, each followed by a NUL
//! the lengths do not count, calls the configured export with
//! `(tag_ptr, tag_len, time_sec, time_nsec, record_ptr, record_len)`, reads
//! the returned pointer as a NUL-terminated string (NULL or empty: the
//! record is dropped) and frees its copies. Guest memory is allocated with
//! the module's exported `malloc`/`free` (as WAMR does when the module
//! exports them).
//!
//! Two engines: wasmtime (compiled, what `--engine wasm` uses; only with
//! the `full` feature, since it is most of the build time of a lean
//! `logref`) and wasmi (an interpreter, the closest stand-in for Fluent
//! Bit's WAMR fast interpreter when measuring cost per record).

use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};

/// The result of one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// The record as the filter returned it.
    Record(Vec<u8>),
    /// NULL or an empty string: Fluent Bit drops the record.
    Dropped,
}

/// Something that filters records like Fluent Bit's wasm filter.
pub trait RecordFilter {
    fn call(&mut self, tag: &[u8], record: &[u8]) -> Result<Output>;
    /// Linear memory size in bytes.
    fn memory_bytes(&mut self) -> usize;
    /// Fuel (roughly instructions) consumed so far, when metered.
    fn fuel_used(&mut self) -> Option<u64>;
    /// The plugin's counters (records, enriched, unmatched, passed through
    /// and why) as JSON text, where the engine keeps them.
    fn counters(&mut self) -> Option<String> {
        None
    }
}

/// The `.wasm` compiled (wasmtime), as `check` runs it; an error in a
/// `logref` built without the `full` feature.
pub fn compiled(wasm: &Path, function: &str) -> Result<Box<dyn RecordFilter>> {
    #[cfg(feature = "full")]
    return Ok(Box::new(WasmtimeFilter::new(wasm, function, None, false)?));
    #[cfg(not(feature = "full"))]
    {
        let _ = function;
        bail!(
            "{}: this logref was built without wasmtime (cargo feature `full`); \
         use the interpreter (--engine wasm-interp) or build with default features",
            wasm.display()
        )
    }
}

/// Writes `bytes` and a NUL at `ptr` (which the guest's malloc returned).
fn write_c_copy(mem: &mut [u8], ptr: u32, bytes: &[u8]) -> Result<()> {
    let at = ptr as usize;
    let dst = mem
        .get_mut(at..at + bytes.len() + 1)
        .ok_or_else(|| anyhow!("guest malloc returned memory out of bounds"))?;
    dst[..bytes.len()].copy_from_slice(bytes);
    dst[bytes.len()] = 0;
    Ok(())
}

/// Reads a NUL-terminated string at `ptr` from `mem`.
fn read_c_string(mem: &[u8], ptr: u32) -> Result<Output> {
    if ptr == 0 {
        return Ok(Output::Dropped);
    }
    let start = ptr as usize;
    let tail = mem
        .get(start..)
        .ok_or_else(|| anyhow!("returned pointer {ptr:#x} is outside guest memory"))?;
    let len = tail
        .iter()
        .position(|b| *b == 0)
        .ok_or_else(|| anyhow!("returned string at {ptr:#x} is not NUL-terminated"))?;
    if len == 0 {
        return Ok(Output::Dropped);
    }
    Ok(Output::Record(tail[..len].to_vec()))
}

#[cfg(feature = "full")]
struct WasmtimeState {
    wasi: wasmtime_wasi::p1::WasiP1Ctx,
    probe: Probe,
}

/// Fuel booked to the record path's phases by a module built with the
/// `probe` feature (see `logref_engine::probe`); read under wasmtime.
#[cfg(feature = "full")]
#[derive(Debug, Default, Clone, Copy)]
pub struct Probe {
    /// Fuel used when the last mark (or the call) started.
    last: u64,
    /// Fuel per phase, indexed by `Phase as usize`.
    pub phases: [u64; logref_engine::probe::Phase::ALL.len()],
}

#[cfg(feature = "full")]
impl Probe {
    /// Whether the module marked any phase.
    pub fn marked(&self) -> bool {
        self.phases.iter().any(|&f| f > 0)
    }
}

/// The `.wasm` under wasmtime.
#[cfg(feature = "full")]
pub struct WasmtimeFilter {
    store: wasmtime::Store<WasmtimeState>,
    memory: wasmtime::Memory,
    malloc: wasmtime::TypedFunc<u32, u32>,
    free: wasmtime::TypedFunc<u32, ()>,
    filter: wasmtime::TypedFunc<(u32, u32, u32, u32, u32, u32), u32>,
    stats: Option<wasmtime::TypedFunc<(), u32>>,
    metered: bool,
}

const FUEL: u64 = u64::MAX / 2;

#[cfg(feature = "full")]
impl WasmtimeFilter {
    /// Loads `wasm`, exposing `dir` (if any) to the guest as `accessible_paths` would.
    pub fn new(
        wasm: &Path,
        function: &str,
        dir: Option<&Path>,
        metered: bool,
    ) -> Result<WasmtimeFilter> {
        let mut config = wasmtime::Config::new();
        config.consume_fuel(metered);
        let engine = wasmtime::Engine::new(&config)?;
        let module = wasmtime::Module::from_file(&engine, wasm)
            .map_err(|e| anyhow!("loading {}: {e}", wasm.display()))?;
        let mut linker: wasmtime::Linker<WasmtimeState> = wasmtime::Linker::new(&engine);
        wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |s| &mut s.wasi)?;
        linker.func_wrap(
            "logref_probe",
            "mark",
            |mut caller: wasmtime::Caller<'_, WasmtimeState>, phase: u32| {
                let used = FUEL - caller.get_fuel().unwrap_or(FUEL);
                let p = &mut caller.data_mut().probe;
                if let Some(f) = p.phases.get_mut(phase as usize) {
                    *f += used.saturating_sub(p.last);
                }
                p.last = used;
            },
        )?;
        let mut b = wasmtime_wasi::WasiCtxBuilder::new();
        b.inherit_stderr();
        if let Some(d) = dir {
            b.preopened_dir(d, ".", wasmtime_wasi::FsPerms::ReadOnly)?;
        }
        let state = WasmtimeState {
            wasi: b.build_p1(),
            probe: Probe::default(),
        };
        let mut store = wasmtime::Store::new(&engine, state);
        if metered {
            store.set_fuel(FUEL)?;
        }
        let instance = linker.instantiate(&mut store, &module)?;
        if let Ok(init) = instance.get_typed_func::<(), ()>(&mut store, "_initialize") {
            init.call(&mut store, ())?;
        }
        let memory = instance
            .get_memory(&mut store, "memory")
            .ok_or_else(|| anyhow!("the module exports no memory"))?;
        let malloc = instance
            .get_typed_func(&mut store, "malloc")
            .map_err(|e| anyhow!("the module must export malloc: {e}"))?;
        let free = instance
            .get_typed_func(&mut store, "free")
            .map_err(|e| anyhow!("the module must export free: {e}"))?;
        let filter = instance
            .get_typed_func(&mut store, function)
            .map_err(|e| anyhow!("the module has no function {function}(i32 x6) -> i32: {e}"))?;
        let stats = instance.get_typed_func(&mut store, "logref_stats").ok();
        Ok(WasmtimeFilter {
            store,
            memory,
            malloc,
            free,
            filter,
            stats,
            metered,
        })
    }

    fn copy_in(&mut self, bytes: &[u8]) -> Result<u32> {
        let ptr = self.malloc.call(&mut self.store, bytes.len() as u32 + 1)?;
        if ptr == 0 {
            bail!("guest malloc({}) failed", bytes.len() + 1);
        }
        write_c_copy(self.memory.data_mut(&mut self.store), ptr, bytes)?;
        Ok(ptr)
    }
}

#[cfg(feature = "full")]
impl WasmtimeFilter {
    /// A call without a record (`record_ptr = 0`), as Fluent Bit makes when
    /// the record did not fit WAMR's app heap.
    pub fn call_without_record(&mut self, tag: &[u8]) -> Result<Output> {
        let t = self.copy_in(tag)?;
        let ret = self
            .filter
            .call(&mut self.store, (t, tag.len() as u32, 0, 0, 0, 0))?;
        let out = read_c_string(self.memory.data(&self.store), ret)?;
        self.free.call(&mut self.store, t)?;
        Ok(out)
    }

    /// The fuel each phase used since the last call of this function (all
    /// zero unless the module was built with the `probe` feature).
    pub fn take_probe(&mut self) -> Probe {
        std::mem::take(&mut self.store.data_mut().probe)
    }

    /// The plugin's counters (`logref_stats`), as JSON text.
    pub fn stats(&mut self) -> Result<String> {
        let f = self
            .stats
            .clone()
            .ok_or_else(|| anyhow!("the module exports no logref_stats"))?;
        let ptr = f.call(&mut self.store, ())?;
        match read_c_string(self.memory.data(&self.store), ptr)? {
            Output::Record(r) => Ok(String::from_utf8_lossy(&r).into_owned()),
            Output::Dropped => bail!("logref_stats returned nothing"),
        }
    }
}

#[cfg(feature = "full")]
impl RecordFilter for WasmtimeFilter {
    fn call(&mut self, tag: &[u8], record: &[u8]) -> Result<Output> {
        let t = self.copy_in(tag)?;
        let r = self.copy_in(record)?;
        // Phases start at the call; the host's malloc and free are the rest.
        let used = self.fuel_used().unwrap_or(0);
        self.store.data_mut().probe.last = used;
        let ret = self.filter.call(
            &mut self.store,
            (t, tag.len() as u32, 0, 0, r, record.len() as u32),
        )?;
        let out = read_c_string(self.memory.data(&self.store), ret)?;
        self.free.call(&mut self.store, t)?;
        self.free.call(&mut self.store, r)?;
        Ok(out)
    }

    fn memory_bytes(&mut self) -> usize {
        self.memory.data_size(&self.store)
    }

    fn fuel_used(&mut self) -> Option<u64> {
        if !self.metered {
            return None;
        }
        self.store.get_fuel().ok().map(|left| FUEL - left)
    }

    fn counters(&mut self) -> Option<String> {
        self.stats().ok()
    }
}

/// The `.wasm` under wasmi, an interpreter.
pub struct WasmiFilter {
    store: wasmi::Store<wasmi_wasi::WasiCtx>,
    memory: wasmi::Memory,
    malloc: wasmi::TypedFunc<u32, u32>,
    free: wasmi::TypedFunc<u32, ()>,
    filter: wasmi::TypedFunc<(u32, u32, u32, u32, u32, u32), u32>,
    metered: bool,
}

impl WasmiFilter {
    pub fn new(wasm: &Path, function: &str, metered: bool) -> Result<WasmiFilter> {
        WasmiFilter::with_dir(wasm, function, None, metered)
    }

    /// [`WasmiFilter::new`], with `dir` readable by the module as `.` (as
    /// Fluent Bit's `accessible_paths`), for its `logref.conf`.
    pub fn with_dir(
        wasm: &Path,
        function: &str,
        dir: Option<&Path>,
        metered: bool,
    ) -> Result<WasmiFilter> {
        let bytes = std::fs::read(wasm).with_context(|| format!("reading {}", wasm.display()))?;
        let mut config = wasmi::Config::default();
        config.consume_fuel(metered);
        let engine = wasmi::Engine::new(&config);
        let module = wasmi::Module::new(&engine, &bytes[..]).map_err(|e| anyhow!("wasmi: {e}"))?;
        let mut linker = <wasmi::Linker<wasmi_wasi::WasiCtx>>::new(&engine);
        wasmi_wasi::add_to_linker(&mut linker, |ctx| ctx).map_err(|e| anyhow!("wasmi: {e}"))?;
        let mut builder = wasmi_wasi::WasiCtxBuilder::new();
        builder.inherit_stderr();
        if let Some(d) = dir {
            let opened = wasmi_wasi::Dir::open_ambient_dir(d, wasmi_wasi::ambient_authority())
                .with_context(|| format!("opening {}", d.display()))?;
            builder
                .preopened_dir(opened, ".")
                .map_err(|e| anyhow!("wasmi: {e}"))?;
        }
        let wasi = builder.build();
        let mut store = wasmi::Store::new(&engine, wasi);
        if metered {
            store.set_fuel(FUEL).map_err(|e| anyhow!("wasmi: {e}"))?;
        }
        let instance = linker
            .instantiate(&mut store, &module)
            .and_then(|pre| pre.start(&mut store))
            .map_err(|e| anyhow!("wasmi: {e}"))?;
        if let Ok(init) = instance.get_typed_func::<(), ()>(&store, "_initialize") {
            init.call(&mut store, ())
                .map_err(|e| anyhow!("wasmi: {e}"))?;
        }
        let memory = instance
            .get_memory(&store, "memory")
            .ok_or_else(|| anyhow!("the module exports no memory"))?;
        let malloc = instance
            .get_typed_func(&store, "malloc")
            .map_err(|e| anyhow!("malloc: {e}"))?;
        let free = instance
            .get_typed_func(&store, "free")
            .map_err(|e| anyhow!("free: {e}"))?;
        let filter = instance
            .get_typed_func(&store, function)
            .map_err(|e| anyhow!("{function}: {e}"))?;
        Ok(WasmiFilter {
            store,
            memory,
            malloc,
            free,
            filter,
            metered,
        })
    }

    fn copy_in(&mut self, bytes: &[u8]) -> Result<u32> {
        let ptr = self
            .malloc
            .call(&mut self.store, bytes.len() as u32 + 1)
            .map_err(|e| anyhow!("malloc: {e}"))?;
        if ptr == 0 {
            bail!("guest malloc({}) failed", bytes.len() + 1);
        }
        write_c_copy(self.memory.data_mut(&mut self.store), ptr, bytes)?;
        Ok(ptr)
    }
}

impl RecordFilter for WasmiFilter {
    fn call(&mut self, tag: &[u8], record: &[u8]) -> Result<Output> {
        let t = self.copy_in(tag)?;
        let r = self.copy_in(record)?;
        let ret = self
            .filter
            .call(
                &mut self.store,
                (t, tag.len() as u32, 0, 0, r, record.len() as u32),
            )
            .map_err(|e| anyhow!("trap: {e}"))?;
        let out = read_c_string(self.memory.data(&self.store), ret)?;
        self.free
            .call(&mut self.store, t)
            .map_err(|e| anyhow!("free: {e}"))?;
        self.free
            .call(&mut self.store, r)
            .map_err(|e| anyhow!("free: {e}"))?;
        Ok(out)
    }

    fn memory_bytes(&mut self) -> usize {
        self.memory.data_size(&self.store)
    }

    fn fuel_used(&mut self) -> Option<u64> {
        if !self.metered {
            return None;
        }
        self.store.get_fuel().ok().map(|left| FUEL - left)
    }
}

/// The plugin's own code, natively (the same `Enricher` the `.wasm` runs).
pub struct NativeFilter {
    enricher: logref_plugin::enrich::Enricher,
    style: logref_plugin::config::Style,
}

impl NativeFilter {
    pub fn new(
        style: Option<logref_plugin::config::Style>,
        artifact: Option<&Path>,
    ) -> Result<NativeFilter> {
        let matcher = crate::load_matcher(artifact)?;
        let enricher = logref_plugin::enrich::Enricher::new(matcher, Default::default());
        Ok(NativeFilter::from_enricher(enricher, style))
    }

    /// The enricher `logref_plugin::load_enricher` built; `style` as the
    /// export of that style (`logref_filter_ecs`, `logref_filter_otel`),
    /// `None` as `logref_filter` (the configuration's style).
    pub fn from_enricher(
        enricher: logref_plugin::enrich::Enricher,
        style: Option<logref_plugin::config::Style>,
    ) -> NativeFilter {
        let style = style.unwrap_or(enricher.config().style);
        NativeFilter { enricher, style }
    }
}

impl RecordFilter for NativeFilter {
    fn call(&mut self, _tag: &[u8], record: &[u8]) -> Result<Output> {
        let out = self.enricher.process(record, self.style);
        let body = out.strip_suffix(&[0]).unwrap_or(out);
        Ok(Output::Record(body.to_vec()))
    }

    fn counters(&mut self) -> Option<String> {
        Some(self.enricher.stats().to_json())
    }

    fn memory_bytes(&mut self) -> usize {
        0
    }

    fn fuel_used(&mut self) -> Option<u64> {
        None
    }
}
