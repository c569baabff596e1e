//! `bsm::praudit` against every `praudit -ln` fixture, byte for byte.
//!
//! The fixtures were printed by upstream praudit with upstream's audit_event
//! table. Every line must match exactly, except the lines in [`DEVIATIONS`]:
//! there the fixture README documents a praudit bug, and the test pins both
//! what praudit printed and what Earshot prints instead.

use crate::common;

use audit_control::EventTable;
use common::{bsm, read, FIXTURES};

/// (fixture, 1-based line, praudit's line ("" = praudit printed no such line),
///  Earshot's line, documented reason)
type Deviation = (
    &'static str,
    usize,
    &'static str,
    &'static str,
    &'static str,
);

const DEVIATIONS: &[Deviation] = &[
    (
        "corrupt_midstream",
        2,
        "header,72,11,chmod(2),0,Thu Mar 14 09:23:20 2024, + 1 msec,path,/tmp/b,",
        "header,72,11,chmod(2),0,Thu Mar 14 09:23:20 2024, + 1 msec,path,/tmp/b,malformed,0x28,0x040073686f7274002300132f746d702f6e657665722d7072696e74656400270000000000,trailer,72,",
        "README: a token overrunning its record makes praudit drop the rest of the record; Earshot keeps it raw as `malformed` and prints the trailer",
    ),
    (
        "corrupt_midstream",
        5,
        "",
        "header,140,11,chmod(2),0,Thu Mar 14 09:23:20 2024, + 4 msec,argument,2,0x180,new file mode,path,/tmp/e-after-junk,attribute,100644,501,20,16777232,22334455,0,subject,501,501,20,501,20,7005,100004,50331650,0.0.0.0,return,success,0,trailer,140,",
        "README: praudit stops silently at the stray NUL at byte 374; Earshot resyncs and prints record 5",
    ),
    (
        "macos_identity_token",
        1,
        "header,135,11,connect(2),0,Thu Mar 14 09:20:00 2024, + 922 msec,argument,1,0x3,fd,socket-inet,2,15234,10.10.10.10,subject,501,0,0,0,0,72739,100003,50331650,0.0.0.0,return,success,0,unknown,0x00000001000d636f6d2e6170706c652e6e630000000100000014023e2436839a72573bd0007c9173f298d9f094f8,trailer,135,",
        "header,135,11,connect(2),0,Thu Mar 14 09:20:00 2024, + 922 msec,argument,1,0x3,fd,socket-inet,2,15234,10.10.10.10,subject,501,0,0,0,0,72739,100003,50331650,0.0.0.0,return,success,0,identity,1,com.apple.nc,complete,,complete,0x023e2436839a72573bd0007c9173f298d9f094f8,trailer,135,",
        "README: praudit does not know the macOS identity token 0xed and hex-dumps it as `unknown`; Earshot decodes it (xnu au_to_identity layout)",
    ),
    (
        "macos_identity_token",
        2,
        "header,152,11,open(2) - read,0,Thu Mar 14 09:20:00 2024, + 919 msec,argument,2,0x0,flags,path,/usr/bin/Info.plist,subject,501,0,0,0,0,72739,100003,50331650,0.0.0.0,return,failure : No such file or directory,4294967295,unknown,0x00000001000d636f6d2e6170706c652e6e630000000100000014023e2436839a72573bd0007c9173f298d9f094f8,trailer,152,",
        "header,152,11,open(2) - read,0,Thu Mar 14 09:20:00 2024, + 919 msec,argument,2,0x0,flags,path,/usr/bin/Info.plist,subject,501,0,0,0,0,72739,100003,50331650,0.0.0.0,return,failure : No such file or directory,4294967295,identity,1,com.apple.nc,complete,,complete,0x023e2436839a72573bd0007c9173f298d9f094f8,trailer,152,",
        "README: identity token 0xed decoded instead of dumped as `unknown`",
    ),
    (
        "macos_identity_token",
        3,
        "header,145,11,mac_syscall(2),0,Thu Mar 14 09:20:00 2024, + 921 msec,text,arg:,argument,3,0x2,call,subject,-1,0,0,0,0,1,100000,0,0.0.0.0,return,success,0,unknown,0x000000010016636f6d2e6170706c652e7870632e6c61756e6368640000000100000014aa569f0e7eead5051439ea24b5febcbd593f6846,trailer,145,",
        "header,145,11,mac_syscall(2),0,Thu Mar 14 09:20:00 2024, + 921 msec,text,arg:,argument,3,0x2,call,subject,-1,0,0,0,0,1,100000,0,0.0.0.0,return,success,0,identity,1,com.apple.xpc.launchd,complete,,complete,0xaa569f0e7eead5051439ea24b5febcbd593f6846,trailer,145,",
        "README: identity token 0xed decoded instead of dumped as `unknown`",
    ),
    (
        "macos_identity_token",
        4,
        "header,173,11,execve(2),0,Thu Mar 14 09:20:01 2024, + 0 msec,exec arg,nc,-z,10.10.10.10,15234,unknown,0x000000020011636f6d2e6578616d706c652e746f6f6c0000000b4142434445313233343500000014023e2436839a72573bd0007c9173f298d9f094f823000c2f7573722f62696e2f6e630024000001f5000001f500000014000001f50000001400011c24000186a30300000200000000270000000000,trailer,173,",
        "header,173,11,execve(2),0,Thu Mar 14 09:20:01 2024, + 0 msec,exec arg,nc,-z,10.10.10.10,15234,identity,2,com.example.tool,complete,ABCDE12345,complete,0x023e2436839a72573bd0007c9173f298d9f094f8,path,/usr/bin/nc,subject,501,501,20,501,20,72740,100003,50331650,0.0.0.0,return,success,0,trailer,173,",
        "README: praudit's unknown-token dump swallows identity and the path/subject/return after it; Earshot decodes all of them",
    ),
    (
        "macos_network",
        12,
        "header,108,11,sendto(2),0,Thu Mar 14 09:15:15 2024, + 0 msec,argument,1,0xb,fd,ip addr,192.0.2.53,ip addr ex,2001:db8::53,ip port,0x3500,subject,501,501,20,501,20,3004,100004,50331650,0.0.0.0,return,success,42,trailer,108,",
        "header,108,11,sendto(2),0,Thu Mar 14 09:15:15 2024, + 0 msec,argument,1,0xb,fd,ip addr,192.0.2.53,ip addr ex,2001:db8::53,ip port,0x35,subject,501,501,20,501,20,3004,100004,50331650,0.0.0.0,return,success,42,trailer,108,",
        "README: iport printed byte-swapped on little-endian (port 53 as 0x3500); Earshot prints the port, 0x35",
    ),
    (
        "odd_tokens",
        2,
        "header,81,11,sendto(2),0,Thu Mar 14 09:18:20 2024, + 1 msec,ip addr ex,fe80::aede:48ff:fe00:1122,ip port,0x901f,sequence,1234567,ip,0x45,0x00,84,21624,0,0x40,0x01,0,192.168.100.155,192.168.110.48,return,success,0,trailer,81,",
        "header,81,11,sendto(2),0,Thu Mar 14 09:18:20 2024, + 1 msec,ip addr ex,fe80::aede:48ff:fe00:1122,ip port,0x1f90,sequence,1234567,ip,0x45,0x00,84,21624,0,0x40,0x01,0,192.168.100.155,192.168.110.48,return,success,0,trailer,81,",
        "README: iport printed byte-swapped on little-endian; port 8080 is 0x1f90",
    ),
    (
        "odd_tokens",
        5,
        "header,108,11,write(2),0,Thu Mar 14 09:18:20 2024, + 4 msec,arbitrary,string,byte,5,Some!,arbitrary,hex,byte,5, 53 6f 6d 65 21,arbitrary,decimal,short,2, 4660 65534,arbitrary,hex,int,3, 1 deadbeef 7fffffff,arbitrary,octal,int,1, 1,arbitrary,hex,int64,2, 1 89abcdef,arbitrary,binary,byte,3, S o m,return,success,0,trailer,108,",
        "header,108,11,write(2),0,Thu Mar 14 09:18:20 2024, + 4 msec,arbitrary,string,byte,5,Some!,arbitrary,hex,byte,5, 53 6f 6d 65 21,arbitrary,decimal,short,2, 4660 65534,arbitrary,hex,int,3, 1 deadbeef 7fffffff,arbitrary,octal,int,1, 1,arbitrary,hex,int64,2, 1 123456789abcdef,arbitrary,binary,byte,3, S o m,return,success,0,trailer,108,",
        "README: 64-bit data units printed as the low half only (89abcdef); Earshot prints all 64 bits",
    ),
];

fn lines(b: &[u8]) -> Vec<Vec<u8>> {
    b.split_inclusive(|&c| c == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

#[test]
fn every_fixture_matches_praudit_ln_except_documented_bugs() {
    let table = EventTable::upstream();
    let mut report = String::new();
    let mut used = vec![false; DEVIATIONS.len()];
    for stem in FIXTURES {
        let mut ours = Vec::new();
        bsm::praudit::print_trail(&bsm(stem), &table, &mut ours).unwrap();
        let theirs = read(&format!("{stem}.ln.txt"));
        let (ours, theirs) = (lines(&ours), lines(&theirs));
        for i in 0..ours.len().max(theirs.len()) {
            let o = ours.get(i).map(|l| {
                String::from_utf8_lossy(l)
                    .trim_end_matches('\n')
                    .to_string()
            });
            let t = theirs.get(i).map(|l| {
                String::from_utf8_lossy(l)
                    .trim_end_matches('\n')
                    .to_string()
            });
            let dev = DEVIATIONS.iter().position(|d| d.0 == *stem && d.1 == i + 1);
            match dev {
                Some(k) => {
                    used[k] = true;
                    let d = DEVIATIONS[k];
                    if t.as_deref().unwrap_or("") != d.2 || o.as_deref().unwrap_or("") != d.3 {
                        report += &format!(
                            "{stem}:{} deviation table out of date\n praudit: {t:?}\n ours:    {o:?}\n",
                            i + 1
                        );
                    }
                }
                None => {
                    if ours.get(i) != theirs.get(i) {
                        report += &format!("{stem}:{}\n praudit: {t:?}\n ours:    {o:?}\n", i + 1);
                    }
                }
            }
        }
    }
    for (k, u) in used.iter().enumerate() {
        if !u {
            report += &format!("unused deviation {:?}\n", DEVIATIONS[k]);
        }
    }
    assert!(report.is_empty(), "{report}");
}
