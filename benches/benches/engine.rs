//! The engine per wire form, artifact load, the wasm call path, and the
//! regex peers on the same mixed corpus (one group, so ratios come from
//! one run).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use logref::enrich_cmd::{default_wasm_path, line_record};
use logref::peers::{message_text, RegexLoop, RegexSetThenCaptures};
use logref::wasm_host::{RecordFilter, WasmtimeFilter};

const FORMS: &[(&str, &str)] = &[
    ("rfc3164", "<30>Nov 22 10:15:05 nxr1 pluto[2231]: \"tunnel1\" #3: STATE_MAIN_I4: ISAKMP SA established {auth=OAKLEY_PRESHARED_KEY cipher=aes_128}"),
    ("rfc3164-nopri", "Nov 22 10:15:07 nxr1 dhcpd: DHCPACK on 192.168.10.23 to 00:1b:21:3a:4f:5c via ether1"),
    ("rfc5424", "<30>1 2026-11-22T10:15:02Z nxr1 charon 812 - - 09[IKE] IKE_SA tunnel2[5] established between 192.0.2.1[a]...198.51.100.20[b]"),
    ("clavister-kv", "<134>[2026-11-22 10:15:02] EFW: L2TP: prio=2 id=02800001 rev=1 event=l2tpclient_resolve_successful iface=l2tp_cli remotegwname=vpn.example.net remotegw=203.0.113.7"),
    ("junos-bsd", "Nov 22 10:15:03 srx1 fwauthd[1893]: DYNAMIC_VPN_AUTH_OK: Xauth alice with laptop-7 4711 authenticated successfully."),
    ("junos-structured", "<35>1 2026-11-22T10:15:04.120Z srx1 fwauthd 1893 DYNAMIC_VPN_LICENSE_CHECK_FAILED [junos@2636.1.1.1.2.40 username=\"bob\"] Dynamic VPN license check failed for user bob"),
    ("bare", "L2TP session up. Tunnel ID: 12, Session ID: 3, User: jane, Auth: MSCHAPv2, MPPE: 128bit, Assigned IP: 10.8.0.21"),
    ("unmatched", "<38>Nov 22 10:15:02 host sshd[2211]: Accepted publickey for admin from 192.0.2.44 port 51234 ssh2"),
];

fn wire_forms(c: &mut Criterion) {
    let m = logref_default_artifact::matcher().unwrap();
    let mut g = c.benchmark_group("engine_per_wire_form");
    for (name, line) in FORMS {
        assert_eq!(m.match_line(line).is_some(), *name != "unmatched", "{name}");
        g.throughput(Throughput::Elements(1));
        g.bench_with_input(BenchmarkId::from_parameter(name), line, |b, l| {
            b.iter(|| black_box(m.match_line(black_box(l))).map(|r| r.params.len()))
        });
    }
    g.finish();
}

fn artifact_load(c: &mut Criterion) {
    let bytes = logref_default_artifact::bytes().to_vec();
    let mut g = c.benchmark_group("artifact_load");
    g.sample_size(10);
    g.bench_function("from_embedded", |b| {
        b.iter(|| logref_default_artifact::matcher().unwrap())
    });
    g.bench_function("from_bytes_validated", |b| {
        b.iter(|| logref_engine::Matcher::from_bytes(black_box(&bytes)).unwrap())
    });
    g.finish();
}

fn peers(c: &mut Criterion) {
    let lines = logref::bench::corpus(2000).unwrap();
    let dir = logref_catalog::default_dir();
    let catalog = logref_catalog::load(&dir.join("catalog.json")).unwrap();
    let m = logref_default_artifact::matcher().unwrap();
    let rl = RegexLoop::new(&catalog).unwrap();
    let rs = RegexSetThenCaptures::new(&catalog).unwrap();
    let mut g = c.benchmark_group("mixed_corpus_2000_lines");
    g.throughput(Throughput::Elements(lines.len() as u64));
    g.sample_size(10);
    g.bench_function("logref_native", |b| {
        b.iter(|| lines.iter().filter(|l| m.match_line(l).is_some()).count())
    });
    g.bench_function("regex_set_then_captures", |b| {
        b.iter(|| {
            lines
                .iter()
                .filter(|l| rs.match_text(message_text(l)).is_some())
                .count()
        })
    });
    g.bench_function("regex_loop", |b| {
        b.iter(|| {
            lines
                .iter()
                .filter(|l| rl.match_text(message_text(l)).is_some())
                .count()
        })
    });
    g.finish();
}

fn wasm_call(c: &mut Criterion) {
    let path = default_wasm_path();
    if !path.exists() {
        eprintln!("skipping wasm_call: build {} first", path.display());
        return;
    }
    let mut w = WasmtimeFilter::new(&path, "logref_filter", None, false).unwrap();
    let mut g = c.benchmark_group("wasm_call_fluent_bit_abi");
    for (name, line) in [FORMS[0], FORMS[3], FORMS[7]] {
        let rec = line_record(line);
        g.throughput(Throughput::Elements(1));
        g.bench_with_input(BenchmarkId::from_parameter(name), &rec, |b, r| {
            b.iter(|| w.call(b"logs", black_box(r)).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, wire_forms, artifact_load, peers, wasm_call);
criterion_main!(benches);
