//! One BSM record → one OCSF event.

use std::cell::RefCell;
use std::ops::Range;

use audit_control::tables::EventTable;
use bsm::read::Record;
use bsm::token::{self, Addr, Attr, Identity, Strings, Subject, Token};

use crate::class::{self, Class};
use crate::event::{self, Fixed};
use crate::json::{self, key, lit, next_key};
use crate::source::{Host, TrailId};
use crate::table::{self, ActivityName, Kind, Rule};

/// AU_DEFAUDITID: an audit user id that was never set.
const UNSET: u32 = u32::MAX;

/// The header version macOS writes (`AUDIT_HEADER_VERSION_OPENBSM`).
const HEADER_VERSION: u8 = bsm::write::HEADER_VERSION;

/// BSM error numbers the network rules look at (`bsm::errno`).
const ECONNRESET: u8 = 131;
const ECONNREFUSED: u8 = 146;
const EINPROGRESS: u8 = 150;

/// How records are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Read the port of socket-inet6 tokens (0x81) little-endian, as xnu
    /// writes it (`ADD_U_INT16` of a port already in network order). Every
    /// kernel record of a Mac is written so; turn it off only for trails
    /// written by libbsm (`au_to_sock_inet128`), which stores it big-endian.
    pub xnu_inet6_port: bool,
    /// Also keep the record's bytes, base64, in `unmapped.bsm.raw`.
    pub raw_record: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            xnu_inet6_port: true,
            raw_record: false,
        }
    }
}

/// What the Mac's audit_event says about one event number.
#[derive(Debug, Clone)]
struct EventInfo {
    /// The kernel's name (the last line for the number).
    name: String,
    description: String,
    rule: &'static Rule,
    /// The event's classification as the table says, rendered once: `{` up
    /// to `"time":`.
    head: Vec<u8>,
    /// The same for the Base Event of the runtime fallback.
    fallback_head: Vec<u8>,
    /// `"event_code":"…","log_provider":…,"log_version":"` (the header's
    /// version and the closing quote follow).
    code: Vec<u8>,
    /// [`unmapped_open`] for the event.
    unmapped: Vec<u8>,
    /// `code`, the end of `metadata` for a version-11 header without sequence
    /// or damage, and the host's `device`.
    code_to_device: Vec<u8>,
}

impl EventInfo {
    fn new(
        fixed: &Fixed,
        number: u16,
        name: &str,
        first_name: Option<String>,
        description: &str,
        rule: &'static Rule,
    ) -> EventInfo {
        let described = if description.is_empty() {
            name
        } else {
            description
        };
        let mut head = Vec::new();
        let own_name = match &rule.activity_name {
            ActivityName::Caption => None,
            ActivityName::Description => Some(described),
            ActivityName::Text(t) => Some(t.as_str()),
        };
        event::head(&mut head, rule.class, rule.activity_id, own_name, 1);
        let mut fallback_head = Vec::new();
        event::head(
            &mut fallback_head,
            &class::BASE_EVENT,
            99,
            Some(described),
            1,
        );
        let mut code = Vec::new();
        event_code(&mut code, |out| json::str(out, name));
        let mut unmapped = Vec::new();
        unmapped_open(&mut unmapped, number, first_name.as_deref());
        let mut code_to_device = code.clone();
        metadata_end(&mut code_to_device, HEADER_VERSION, None, false);
        code_to_device.push(b',');
        code_to_device.extend_from_slice(&fixed.device);
        code_to_device.push(b'}');
        EventInfo {
            name: name.to_string(),
            description: description.to_string(),
            rule,
            head,
            fallback_head,
            code,
            unmapped,
            code_to_device,
        }
    }
}

/// Turns BSM records and Earshot's own observations into OCSF events, one
/// NDJSON line each. Build one per host and keep it: it renders everything
/// that depends only on the host and the event table once, and remembers
/// what the next records repeat (subjects, trail ids, time digits) — so it serves one thread
/// (clone it for another).
#[derive(Debug, Clone)]
pub struct Mapper {
    host: Host,
    options: Options,
    fixed: Fixed,
    /// Event number → index in `events` (`u32::MAX`: not in the table).
    by_number: Vec<u32>,
    events: Vec<EventInfo>,
    /// Pieces rendered for earlier records that the next ones repeat. A
    /// `RefCell`, because mapping is `&self` and one mapper serves one thread.
    memo: RefCell<Memo>,
}

fn other_rule() -> &'static Rule {
    static OTHER: std::sync::OnceLock<Rule> = std::sync::OnceLock::new();
    OTHER.get_or_init(Rule::other)
}

impl Mapper {
    /// A mapper for the Mac whose audit_event is `events` (its own file: the
    /// numbers differ between systems, names do not).
    pub fn new(events: &EventTable, host: Host) -> Mapper {
        Mapper::with_options(events, host, Options::default())
    }

    pub fn with_options(events: &EventTable, host: Host, options: Options) -> Mapper {
        let rules = table::rules();
        let fixed = Fixed::new(&host);
        let mut by_number = vec![u32::MAX; 1 << 16];
        let mut infos = Vec::new();
        for e in events.effective() {
            let first = events.get_first(e.number).map(|f| f.name.as_str());
            by_number[usize::from(e.number)] = infos.len() as u32;
            infos.push(EventInfo::new(
                &fixed,
                e.number,
                &e.name,
                first.filter(|f| *f != e.name).map(str::to_string),
                &e.description,
                rules.get(&e.name).unwrap_or_else(|| other_rule()),
            ));
        }
        for &(number, name, description) in table::XNU_EVENTS {
            if by_number[usize::from(number)] == u32::MAX {
                by_number[usize::from(number)] = infos.len() as u32;
                infos.push(EventInfo::new(
                    &fixed,
                    number,
                    name,
                    None,
                    description,
                    rules.get(name).unwrap_or_else(|| other_rule()),
                ));
            }
        }
        Mapper {
            fixed,
            host,
            options,
            by_number,
            events: infos,
            memo: RefCell::new(Memo::default()),
        }
    }

    pub fn host(&self) -> &Host {
        &self.host
    }

    pub(crate) fn fixed(&self) -> &Fixed {
        &self.fixed
    }

    fn info(&self, number: u16) -> Option<&EventInfo> {
        let i = self.by_number[usize::from(number)];
        self.events.get(i as usize)
    }

    /// The class and activity a record of event `number` maps to when its
    /// tokens allow (the table's answer, before the runtime fallback).
    pub fn class_of(&self, number: u16) -> (u32, u8) {
        let rule = self.info(number).map_or_else(other_rule, |i| i.rule);
        (rule.class.uid, rule.activity_id)
    }

    /// `metadata.uid` of the record at `offset` of trail `trail`:
    /// `<host id>:<trail stamp>:<offset>`.
    pub fn event_uid(&self, trail: &TrailId, offset: u64) -> String {
        format!("{}:{}:{offset}", self.host.id(), trail.stamp())
    }

    /// Appends one OCSF event for `rec` (read from `trail`) to `out`, as one
    /// line ending in `\n`. Never fails: a record whose tokens cannot fill its
    /// class becomes a Base Event with everything in `unmapped`.
    ///
    /// Returns whether one of the record's tokens is damaged (unknown, or
    /// malformed up to its trailer): the event then says so
    /// (`metadata.is_truncated`, `unmapped.bsm.damage`), and a caller that
    /// reports damage asks [`bsm::scan::summarise`] where it is.
    pub fn record(&self, out: &mut Vec<u8>, rec: &Record<'_>, trail: &TrailId) -> bool {
        let h = &rec.header;
        let info = self.info(h.event);
        let rule = info.map_or_else(other_rule, |i| i.rule);
        let mut p = Parts::collect(rec);
        let plan = Plan::new(rule, &p);

        match info {
            // The table's classification, or the fallback's: rendered once.
            Some(i) if plan.intended.is_some() => out.extend_from_slice(&i.fallback_head),
            Some(i) if plan.activity_id == rule.activity_id && plan.kind == rule.kind => {
                out.extend_from_slice(&i.head)
            }
            _ => {
                let described = match info {
                    Some(i) if !i.description.is_empty() => i.description.clone(),
                    Some(i) => i.name.clone(),
                    None => format!("event {}", h.event),
                };
                let activity_name = match (&plan.kind, &rule.activity_name) {
                    (Kind::Other, _) | (_, ActivityName::Description) => Some(described.as_str()),
                    (_, ActivityName::Text(t)) => Some(t.as_str()),
                    (_, ActivityName::Caption) => None,
                };
                event::head(out, plan.class, plan.activity_id, activity_name, 1);
            }
        }
        // time and metadata: `uid` is `<host>:<trail stamp>:<offset>`,
        // `original_event_uid` the same without the host.
        {
            let mut memo = self.memo.borrow_mut();
            memo.time(out, h.sec, h.msec);
            let ids = memo.trail(&self.fixed, trail);
            out.extend_from_slice(&ids.uid);
            json::u64(out, rec.offset);
            out.extend_from_slice(&ids.original_uid);
            json::u64(out, rec.offset);
            out.push(b'"');
        }
        match info {
            // What nearly every record is (macOS writes version 11, no
            // sequence token, no header address): the rest of `metadata` and
            // all of `device` in one piece.
            Some(i)
                if h.version == HEADER_VERSION
                    && p.seq.is_none()
                    && !p.damaged
                    && h.host.is_none() =>
            {
                out.extend_from_slice(&i.code_to_device)
            }
            _ => self.metadata_tail_and_device(out, info, h, p.seq, p.damaged),
        }

        status(out, p.ret, plan.status);
        self.body(out, rule, &plan, &mut p);
        message(out, &p);
        self.unmapped(out, rec, info, &plan, &p);
        out.extend_from_slice(b"}\n");
        p.damaged
    }

    /// The members of `metadata` after `original_event_uid`, and `device`
    /// with the address the header names (header_ex), member by member.
    fn metadata_tail_and_device(
        &self,
        out: &mut Vec<u8>,
        info: Option<&EventInfo>,
        h: &token::Header,
        seq: Option<u32>,
        damaged: bool,
    ) {
        match info {
            Some(i) => out.extend_from_slice(&i.code),
            None => event_code(out, |out| json::u64_str(out, u64::from(h.event))),
        }
        metadata_end(out, h.version, seq, damaged);
        out.push(b',');
        out.extend_from_slice(&self.fixed.device);
        if let Some(a) = &h.host {
            next_key!(out, "ip");
            json::addr(out, a);
        }
        out.push(b'}');
    }

    /// The class-specific members, from the plan.
    fn body(&self, out: &mut Vec<u8>, rule: &Rule, plan: &Plan, p: &mut Parts<'_>) {
        let identity = p.identity;
        match plan.kind {
            Kind::Logon | Kind::Logoff | Kind::Switch => {
                if let Some(s) = &p.subject {
                    self.actor(out, s, identity.as_ref(), None);
                }
                // Required here even when the record names nobody: `{}`.
                user_object(out, plan.user.as_ref().unwrap_or(&UserRef::default()));
                key!(out, "service");
                out.push(b'{');
                key!(out, "name");
                match &rule.service {
                    Some(s) => json::str(out, s),
                    None => json::str(out, "unknown"),
                }
                out.push(b'}');
                if let Some(t) = rule.logon_type {
                    key!(out, "logon_type_id");
                    json::u64(out, u64::from(t));
                    key!(out, "logon_type");
                    json::caption(out, class::logon_type_caption(t));
                }
                if let Some(t) = rule.switch_type {
                    key!(out, "account_switch_type_id");
                    json::u64(out, u64::from(t));
                    key!(out, "account_switch_type");
                    json::caption(out, class::account_switch_caption(t));
                }
                if let Some(s) = &p.subject {
                    let remote = is_remote(&s.addr);
                    key!(out, "is_remote");
                    json::bool(out, remote);
                    key!(out, "session");
                    out.push(b'{');
                    key!(out, "uid");
                    json::u64_str(out, u64::from(s.sid));
                    key!(out, "is_remote");
                    json::bool(out, remote);
                    out.push(b'}');
                    if remote {
                        key!(out, "src_endpoint");
                        out.push(b'{');
                        key!(out, "ip");
                        json::addr(out, &s.addr);
                        // OpenSSH puts the client's port in the terminal id.
                        if rule.service.as_deref() == Some("sshd")
                            && s.port > 0
                            && s.port <= u64::from(u16::MAX)
                        {
                            key!(out, "port");
                            json::u64(out, s.port);
                        }
                        out.push(b'}');
                    }
                }
            }
            Kind::Authorize => {
                let app = p.texts().find_map(|t| t.strip_prefix(b"client "));
                if let Some(s) = &p.subject {
                    self.actor(out, s, identity.as_ref(), app);
                    key!(out, "user");
                    out.push(b'{');
                    uid_members(out, s.ruid);
                    out.push(b'}');
                }
                if let Some(right) = p.texts().next() {
                    key!(out, "privileges");
                    out.push(b'[');
                    json::bytes(out, right);
                    out.push(b']');
                }
            }
            Kind::Account | Kind::Group => {
                if let Some(s) = &p.subject {
                    self.actor(out, s, identity.as_ref(), None);
                }
                if let Some(g) = plan.group {
                    key!(out, "group");
                    out.push(b'{');
                    key!(out, "name");
                    json::bytes(out, g);
                    out.push(b'}');
                }
                if let Some(u) = &plan.user {
                    user_object(out, u);
                }
            }
            Kind::Exec | Kind::Spawn | Kind::Fork | Kind::Exit | Kind::Target | Kind::Process => {
                let Some(s) = p.subject else { return };
                self.actor(out, &s, identity.as_ref(), None);
                key!(out, "process");
                out.push(b'{');
                match plan.kind {
                    Kind::Exec => {
                        self.process_ids(out, &s);
                        self.image(out, p, identity.as_ref());
                    }
                    Kind::Spawn => {
                        key!(out, "pid");
                        json::i64(out, plan.pid.unwrap_or(0));
                        self.image(out, p, identity.as_ref());
                    }
                    Kind::Fork => {
                        key!(out, "pid");
                        json::i64(out, plan.pid.unwrap_or(0));
                    }
                    Kind::Target => match (p.process, plan.pid) {
                        (Some(t), _) => {
                            self.process_ids(out, &t);
                            p.process_placed = true;
                        }
                        (None, pid) => {
                            key!(out, "pid");
                            json::i64(out, pid.unwrap_or(0));
                        }
                    },
                    _ => self.process_ids(out, &s),
                }
                out.push(b'}');
                if let Some(launch) = match plan.kind {
                    Kind::Spawn => Some(1u8),
                    Kind::Fork => Some(2),
                    Kind::Exec => Some(3),
                    _ => None,
                } {
                    key!(out, "launch_type_id");
                    json::u64(out, u64::from(launch));
                    key!(out, "launch_type");
                    json::caption(out, class::launch_type_caption(launch));
                }
                if plan.kind == Kind::Exit {
                    if let Some((status, _)) = p.exit {
                        key!(out, "exit_code");
                        json::i64(out, i64::from(status as i32));
                        p.exit_placed = true;
                    }
                }
            }
            Kind::File => {
                let Some(s) = p.subject else { return };
                self.actor(out, &s, identity.as_ref(), None);
                key!(out, "file");
                let first = p.path(0).unwrap_or(b"");
                file(out, first, p.attr.as_ref(), rule.file_type);
                p.paths_placed |= 1;
                if p.attr.is_some() {
                    p.attr_placed = true;
                }
                if rule.result {
                    if let Some(second) = p.path(1) {
                        key!(out, "file_result");
                        file(out, second, None, rule.file_type);
                        p.paths_placed |= 2;
                    }
                }
            }
            Kind::Kext => {
                let Some(s) = p.subject else { return };
                self.actor(out, &s, identity.as_ref(), None);
                key!(out, "driver");
                out.push(b'{');
                key!(out, "file");
                file(out, p.path(0).unwrap_or(b""), None, Some(2));
                p.paths_placed |= 1;
                out.push(b'}');
            }
            Kind::Connect
            | Kind::Accept
            | Kind::Bind
            | Kind::Listen
            | Kind::Shutdown
            | Kind::Traffic => {
                if let Some(s) = &p.subject {
                    self.actor(out, s, identity.as_ref(), None);
                }
                let ends = self.endpoints(plan.kind, p);
                for (name, e) in [("src_endpoint", &ends.src), ("dst_endpoint", &ends.dst)] {
                    let Some(e) = e else { continue };
                    json::comma(out);
                    json::str(out, name);
                    out.push(b':');
                    endpoint(out, e);
                }
                if let Some(dir) = ends.direction(plan.kind) {
                    key!(out, "connection_info");
                    out.push(b'{');
                    key!(out, "direction_id");
                    json::u64(out, u64::from(dir));
                    key!(out, "direction");
                    json::caption(
                        out,
                        match dir {
                            1 => "Inbound",
                            2 => "Outbound",
                            4 => "Local",
                            _ => "Unknown",
                        },
                    );
                    if let Some(v) = ends.version() {
                        key!(out, "protocol_ver_id");
                        json::u64(out, u64::from(v));
                        key!(out, "protocol_ver");
                        json::caption(
                            out,
                            if v == 4 {
                                "Internet Protocol version 4 (IPv4)"
                            } else {
                                "Internet Protocol version 6 (IPv6)"
                            },
                        );
                    }
                    out.push(b'}');
                }
            }
            Kind::Log | Kind::Rotate => {
                if let Some(s) = &p.subject {
                    self.actor(out, s, identity.as_ref(), None);
                }
                lit!(out, "log_provider", "auditd");
                lit!(out, "log_name", "BSM audit trail");
                key!(out, "log_type_id");
                out.push(b'1');
                lit!(out, "log_type", "OS");
                if plan.kind == Kind::Rotate {
                    if let Some(path) = p.path(0) {
                        key!(out, "file");
                        file(out, path, p.attr.as_ref(), Some(1));
                        p.paths_placed |= 1;
                        p.attr_placed = p.attr.is_some();
                    }
                }
            }
            Kind::Other => {
                if let Some(s) = &p.subject {
                    self.actor(out, s, identity.as_ref(), None);
                }
            }
        }
    }

    /// `actor` from the subject token (its rendering is remembered: see
    /// [`Memo`]), the app that asked (authorization records) and the
    /// code-signing id.
    fn actor(
        &self,
        out: &mut Vec<u8>,
        s: &Subject,
        id: Option<&Identity<'_>>,
        app_name: Option<&[u8]>,
    ) {
        json::comma(out);
        {
            let mut memo = self.memo.borrow_mut();
            let slot = memo.subject(s);
            out.extend_from_slice(&slot.bytes[slot.actor.clone()]);
        }
        if let Some(app) = app_name {
            next_key!(out, "app_name");
            json::bytes(out, app);
        }
        if let Some(signing_id) = id.map(|i| cstr(i.signing_id)).filter(|s| !s.is_empty()) {
            next_key!(out, "app_uid");
            json::bytes(out, signing_id);
        }
        out.push(b'}');
    }

    /// [`process_ids`], remembered.
    fn process_ids(&self, out: &mut Vec<u8>, s: &Subject) {
        json::comma(out);
        let mut memo = self.memo.borrow_mut();
        let slot = memo.subject(s);
        out.extend_from_slice(&slot.bytes[slot.ids.clone()]);
    }

    /// [`subject_rest`] of a token whose ids found their OCSF place, remembered.
    fn subject_rest(&self, out: &mut Vec<u8>, s: &Subject) {
        let mut memo = self.memo.borrow_mut();
        let slot = memo.subject(s);
        out.extend_from_slice(&slot.bytes[slot.rest.clone()]);
    }

    /// The executable of an exec or spawn: path, name, command line,
    /// environment, the file and its code signature.
    /// It always follows the process's `pid`.
    fn image(&self, out: &mut Vec<u8>, p: &mut Parts<'_>, identity: Option<&Identity<'_>>) {
        // xnu writes the path twice (as given, and as resolved): the last is
        // the file that ran.
        let last = p.npaths.checked_sub(1);
        let path = last.and_then(|i| p.path(i));
        if let Some(path) = path {
            next_key!(out, "name");
            json::bytes(out, basename(path));
            next_key!(out, "path");
            json::bytes(out, path);
        } else if let Some(arg0) = p.exec_args.and_then(|a| a.iter().next()) {
            next_key!(out, "name");
            json::bytes(out, basename(arg0));
        }
        if let Some(args) = p.exec_args {
            next_key!(out, "cmd_line");
            cmd_line(out, &args);
        }
        if let Some(env) = p.exec_env {
            if env.iter().all(|e| e.contains(&b'=')) {
                next_key!(out, "environment_variables");
                out.push(b'[');
                for e in env.iter() {
                    let at = e.iter().position(|&b| b == b'=').unwrap_or(e.len());
                    json::comma(out);
                    out.push(b'{');
                    key!(out, "name");
                    json::bytes(out, &e[..at]);
                    key!(out, "value");
                    json::bytes(out, e.get(at + 1..).unwrap_or(b""));
                    out.push(b'}');
                }
                out.push(b']');
                p.env_placed = true;
            }
        }
        if let (Some(path), Some(i)) = (path, last) {
            next_key!(out, "file");
            out.push(b'{');
            file_members(out, path, p.attr.as_ref(), None);
            p.attr_placed = p.attr.is_some();
            if let Some(id) = identity {
                signature(out, id);
                p.identity_signed = true;
            }
            out.push(b'}');
            p.paths_placed |= 1 << i;
            // The path as given is usually the same as the resolved one.
            if i > 0 && p.path(i - 1) == Some(path) {
                p.paths_placed |= 1 << (i - 1);
            }
        }
    }

    /// Source and destination of a network record, by the socket tokens' roles.
    fn endpoints<'a>(&self, kind: Kind, p: &mut Parts<'a>) -> Endpoints<'a> {
        let mut ends = Endpoints::default();
        // The peer of an accepted connection is its source; everything else
        // names where the subject connects or sends to.
        let single_is_src = matches!(kind, Kind::Accept | Kind::Bind);
        for (i, tok) in p.socks.iter().enumerate() {
            let Some(tok) = tok else { continue };
            let used = match *tok {
                Token::SockInet { port, addr, .. } => {
                    let port = match addr {
                        Addr::V6(_) if self.options.xnu_inet6_port => u16::from_le_bytes(port),
                        _ => u16::from_be_bytes(port),
                    };
                    ends.put(single_is_src, Endpoint::ip(addr, port))
                }
                Token::SockUnix { path, .. } => {
                    let path = cstr(path);
                    !path.is_empty() && ends.put(single_is_src, Endpoint::name(path))
                }
                Token::SocketEx {
                    lport,
                    laddr,
                    rport,
                    raddr,
                    ..
                } => ends.pair(
                    kind,
                    Endpoint::ip(laddr, u16::from_be_bytes(lport)),
                    Endpoint::ip(raddr, u16::from_be_bytes(rport)),
                ),
                Token::Socket {
                    lport,
                    laddr,
                    rport,
                    raddr,
                    ..
                } => ends.pair(
                    kind,
                    Endpoint::ip(Addr::V4(laddr), u16::from_be_bytes(lport)),
                    Endpoint::ip(Addr::V4(raddr), u16::from_be_bytes(rport)),
                ),
                Token::InAddr(a) => ends.put_ip(Addr::V4(a)),
                Token::InAddrEx(a) => ends.put_ip(a),
                Token::IPort(raw) => ends.put_port(token::iport_value(raw)),
                _ => false,
            };
            if used {
                p.socks_placed |= 1 << i;
            }
        }
        ends
    }

    /// `unmapped`: every token field without an OCSF place, in `bsm::json`'s
    /// shapes and names, and the fallback's intended class.
    fn unmapped(
        &self,
        out: &mut Vec<u8>,
        rec: &Record<'_>,
        info: Option<&EventInfo>,
        plan: &Plan,
        p: &Parts<'_>,
    ) {
        let h = &rec.header;
        match info {
            Some(i) => out.extend_from_slice(&i.unmapped),
            None => unmapped_open(out, h.event, None),
        }
        if h.modifier != 0 {
            next_key!(out, "modifier");
            json::u64(out, u64::from(h.modifier));
        }
        if let Some(s) = &p.subject {
            next_key!(out, "subject");
            self.subject_rest(out, s);
        }
        if let Some(s) = &p.process {
            next_key!(out, "process");
            if p.process_placed {
                self.subject_rest(out, s);
            } else {
                subject_rest(out, s, true);
            }
        }
        if let Some(r) = p.ret {
            next_key!(out, "return");
            out.push(b'{');
            key!(out, "status");
            json::u64(out, u64::from(r.status));
            key!(out, "value");
            json::i64(out, r.value);
            out.push(b'}');
        }
        if p.nargs > 0 {
            next_key!(out, "args");
            out.push(b'[');
            for a in p.args.iter().flatten() {
                json::comma(out);
                out.push(b'{');
                key!(out, "num");
                json::u64(out, u64::from(a.0));
                key!(out, "value");
                json::u64(out, a.1);
                next_key!(out, "text");
                json::bytes(out, cstr(a.2));
                out.push(b'}');
            }
            out.push(b']');
        }
        if let Some(a) = p.exec_args {
            next_key!(out, "exec_args");
            strings(out, &a);
        }
        if let Some(e) = p.exec_env.filter(|_| !p.env_placed) {
            next_key!(out, "exec_env");
            strings(out, &e);
        }
        let unplaced_paths = (0..p.npaths).filter(|i| p.paths_placed & (1 << i) == 0);
        if unplaced_paths.clone().next().is_some() {
            next_key!(out, "paths");
            out.push(b'[');
            for i in unplaced_paths {
                json::comma(out);
                json::bytes(out, p.path(i).map(cstr).unwrap_or(b""));
            }
            out.push(b']');
        }
        if let Some(a) = &p.attr {
            if p.attr_placed {
                self.memo.borrow_mut().attr(out, a);
            } else {
                attr_rest(out, a, false);
            }
        }
        if let Some((status, ret)) = p.exit {
            next_key!(out, "exit");
            out.push(b'{');
            if !p.exit_placed {
                key!(out, "status");
                json::u64(out, u64::from(status));
            }
            key!(out, "return");
            json::u64(out, u64::from(ret));
            out.push(b'}');
        }
        let unplaced_socks = p
            .socks
            .iter()
            .enumerate()
            .filter(|(i, t)| t.is_some() && p.socks_placed & (1 << i) == 0);
        if unplaced_socks.clone().next().is_some() {
            next_key!(out, "sockets");
            out.push(b'[');
            for (_, t) in unplaced_socks {
                if let Some(t) = t {
                    json::comma(out);
                    value(out, &bsm::json::token_value(t));
                }
            }
            out.push(b']');
        }
        if p.ntexts > 1 {
            next_key!(out, "text");
            out.push(b'[');
            for t in p.texts() {
                json::comma(out);
                json::bytes(out, t);
            }
            out.push(b']');
        }
        if let Some(id) = &p.identity {
            next_key!(out, "identity");
            out.push(b'{');
            key!(out, "signer_type");
            json::u64(out, u64::from(id.signer_type));
            key!(out, "signing_id");
            json::bytes(out, cstr(id.signing_id));
            key!(out, "signing_id_truncated");
            json::bool(out, id.signing_id_truncated != 0);
            key!(out, "team_id_truncated");
            json::bool(out, id.team_id_truncated != 0);
            if !p.identity_signed {
                key!(out, "team_id");
                json::bytes(out, cstr(id.team_id));
                key!(out, "cdhash");
                json::hex(out, id.cdhash);
            }
            out.push(b'}');
        }
        if p.nothers > 0 || !p.overflow.is_empty() {
            next_key!(out, "other");
            out.push(b'[');
            for t in p.others.iter().flatten().chain(p.overflow.iter()) {
                json::comma(out);
                value(out, &bsm::json::token_value(t));
            }
            out.push(b']');
        }
        if p.damaged {
            if let Some(d) = rec.damage() {
                next_key!(out, "damage");
                value(out, &bsm::json::damage_value(&d));
            }
        }
        if self.options.raw_record {
            next_key!(out, "raw");
            json::base64(out, rec.bytes);
        }
        out.push(b'}');
        if let Some(intended) = plan.intended {
            key!(out, "earshot");
            out.push(b'{');
            key!(out, "intended_class_uid");
            json::u64(out, u64::from(intended));
            out.push(b'}');
        }
        out.push(b'}');
    }
}

/// `,"event_code":…,"log_provider":"auditd","log_format":"BSM","log_version":"`
/// (the header's version follows), the code written by `code`.
fn event_code(out: &mut Vec<u8>, code: impl FnOnce(&mut Vec<u8>)) {
    next_key!(out, "event_code");
    code(out);
    lit!(out, "log_provider", "auditd");
    lit!(out, "log_format", "BSM");
    key!(out, "log_version");
    out.push(b'"');
}

/// `metadata`'s last members after `log_version":"`: the header's version,
/// the sequence number and whether a token was damaged; then `}`.
fn metadata_end(out: &mut Vec<u8>, version: u8, seq: Option<u32>, damaged: bool) {
    json::u64(out, u64::from(version));
    out.push(b'"');
    if let Some(seq) = seq {
        next_key!(out, "sequence");
        json::u64(out, u64::from(seq));
    }
    if damaged {
        next_key!(out, "is_truncated");
        out.extend_from_slice(b"true");
    }
    out.push(b'}');
}

/// `,"attr":{…}` in `unmapped`: what the file object did not take of an
/// attr token (all of it when `placed` is false; without the owner and the
/// inode when the file took them).
fn attr_rest(out: &mut Vec<u8>, a: &Attr, placed: bool) {
    next_key!(out, "attr");
    out.push(b'{');
    key!(out, "mode");
    out.push(b'"');
    octal(out, a.mode);
    out.push(b'"');
    if !placed {
        next_key!(out, "uid");
        json::u64(out, u64::from(a.uid));
    }
    next_key!(out, "gid");
    json::u64(out, u64::from(a.gid));
    next_key!(out, "fsid");
    json::u64(out, u64::from(a.fsid));
    if !placed {
        next_key!(out, "node");
        json::u64(out, a.node);
    }
    next_key!(out, "dev");
    json::u64(out, a.dev);
    out.push(b'}');
}

/// `,"unmapped":{"bsm":{"event":{…}` — what every record's `unmapped` opens
/// with: the event's number and praudit's name for it when the kernel's
/// differs.
fn unmapped_open(out: &mut Vec<u8>, number: u16, praudit_name: Option<&str>) {
    out.extend_from_slice(br#","unmapped":{"bsm":{"event":{"number":"#);
    json::u64(out, u64::from(number));
    if let Some(first) = praudit_name {
        next_key!(out, "praudit_name");
        json::str(out, first);
    }
    out.push(b'}');
}

/// What the mapper remembers between records, because the next records
/// repeat it: most records of a trail come from a few processes, whose
/// subject tokens — and so their `actor`, process ids and
/// `unmapped.bsm.subject` — recur (in the bench trail 9 in 10 lookups find
/// the subject rendered already), records written in the same second share
/// the digits of their `time`, the records of one trail its id prefixes, and
/// the files of one file system what `unmapped.bsm.attr` shows of them.
/// Rendering these once saved a fifth of the export's time
/// (docs/performance.md). Only what the key alone decides is kept: the
/// output is byte for byte what rendering it afresh gives.
#[derive(Debug, Clone)]
struct Memo {
    /// Direct-mapped by a hash of the subject; a collision renders again.
    subjects: Vec<SubjectSlot>,
    /// The second whose digits `sec_digits` holds (0: none yet), and how
    /// many there are: the array is copied whole (one store, no `memcpy`
    /// call) and the excess cut off.
    sec: u64,
    sec_digits: [u8; 20],
    sec_len: usize,
    /// The trail whose event ids `trail_ids` begins.
    trail: Option<TrailIds>,
    /// The last [`attr_rest`] of a placed attr token, by what it shows (mode,
    /// group, file system, device: the same for most files of a trail).
    attr: Option<(AttrKey, Vec<u8>)>,
}

/// The parts of `metadata` that name the trail, rendered once per trail.
#[derive(Debug, Clone)]
struct TrailIds {
    stamp: String,
    /// `,"metadata":{…,"uid":"<host>:<stamp>:` (the offset follows).
    uid: Vec<u8>,
    /// `","original_event_uid":"<stamp>:`.
    original_uid: Vec<u8>,
}

impl TrailIds {
    fn new(fixed: &Fixed, stamp: &str) -> TrailIds {
        let mut uid = Vec::new();
        fixed.open_metadata(&mut uid);
        next_key!(&mut uid, "uid");
        uid.push(b'"');
        uid.extend_from_slice(&fixed.host_id);
        uid.push(b':');
        json::escaped(&mut uid, stamp.as_bytes());
        uid.push(b':');
        let mut original_uid = b"\"".to_vec();
        next_key!(&mut original_uid, "original_event_uid");
        original_uid.push(b'"');
        json::escaped(&mut original_uid, stamp.as_bytes());
        original_uid.push(b':');
        TrailIds {
            stamp: stamp.to_string(),
            uid,
            original_uid,
        }
    }
}

const SUBJECT_SLOTS: usize = 64;

/// What an attr token's rest shows when the file took its owner and inode:
/// mode, group, file system, device.
type AttrKey = (u32, u32, u32, u64);

#[derive(Debug, Clone, Default)]
struct SubjectSlot {
    subject: Option<Subject>,
    /// The three renderings, one after the other.
    bytes: Vec<u8>,
    /// [`actor_open`]: `"actor":{…` up to the members the record adds.
    actor: Range<usize>,
    /// [`process_ids`].
    ids: Range<usize>,
    /// [`subject_rest`] without the ids.
    rest: Range<usize>,
}

impl Default for Memo {
    fn default() -> Memo {
        Memo {
            subjects: vec![SubjectSlot::default(); SUBJECT_SLOTS],
            sec: 0,
            sec_digits: [0; 20],
            sec_len: 0,
            trail: None,
            attr: None,
        }
    }
}

/// The largest second whose milliseconds fit an `i64` with three digits to
/// spare (beyond it, `time` saturates as [`Memo::time`]'s slow path says).
const MAX_PLAIN_SEC: u64 = (i64::MAX as u64 - 999) / 1000;

impl Memo {
    /// The slot holding `s`'s renderings, rendering them if it holds another.
    #[inline]
    fn subject(&mut self, s: &Subject) -> &SubjectSlot {
        let h = s.pid.wrapping_mul(0x9E37_79B1)
            ^ s.sid.wrapping_mul(0x85EB_CA6B)
            ^ s.auid.rotate_left(13)
            ^ s.euid.rotate_left(23);
        let slot = &mut self.subjects[(h >> 26) as usize % SUBJECT_SLOTS];
        if slot.subject.as_ref() != Some(s) {
            let b = &mut slot.bytes;
            b.clear();
            actor_open(b, s);
            slot.actor = 0..b.len();
            // After a `{` of its own, as in the object it goes into: no comma.
            b.push(b'{');
            let start = b.len();
            process_ids(b, s);
            slot.ids = start..b.len();
            let start = b.len();
            subject_rest(b, s, false);
            slot.rest = start..b.len();
            slot.subject = Some(*s);
        }
        slot
    }

    /// [`attr_rest`] of an attr token whose owner and inode the file object
    /// took.
    #[inline]
    fn attr(&mut self, out: &mut Vec<u8>, a: &Attr) {
        let key = (a.mode, a.gid, a.fsid, a.dev);
        if self.attr.as_ref().is_none_or(|(k, _)| *k != key) {
            let mut bytes = Vec::new();
            attr_rest(&mut bytes, a, true);
            self.attr = Some((key, bytes));
        }
        if let Some((_, bytes)) = &self.attr {
            out.extend_from_slice(bytes);
        }
    }

    /// The id prefixes of `trail`'s events.
    #[inline]
    fn trail(&mut self, fixed: &Fixed, trail: &TrailId) -> &TrailIds {
        let stamp = trail.stamp();
        if self.trail.as_ref().is_some_and(|t| t.stamp != stamp) {
            self.trail = None;
        }
        self.trail
            .get_or_insert_with(|| TrailIds::new(fixed, stamp))
    }

    /// `time` (milliseconds since the epoch): the digits of the second are
    /// remembered, the milliseconds appended as three digits.
    #[inline]
    fn time(&mut self, out: &mut Vec<u8>, sec: u64, msec: u32) {
        if !(1..=MAX_PLAIN_SEC).contains(&sec) || msec > 999 {
            let time = i64::try_from(sec)
                .unwrap_or(i64::MAX / 1000)
                .saturating_mul(1000)
                .saturating_add(i64::from(msec));
            json::i64(out, time);
            return;
        }
        if sec != self.sec {
            let mut b = itoa::Buffer::new();
            let digits = b.format(sec).as_bytes();
            self.sec_len = digits.len();
            self.sec_digits = [0; 20];
            self.sec_digits[..digits.len()].copy_from_slice(digits);
            self.sec = sec;
        }
        let len = out.len();
        out.extend_from_slice(&self.sec_digits);
        out.truncate(len + self.sec_len);
        out.extend_from_slice(&[
            b'0' + (msec / 100) as u8,
            b'0' + (msec / 10 % 10) as u8,
            b'0' + (msec % 10) as u8,
        ]);
    }
}

/// A fixed number of slots, so collecting a record's tokens allocates nothing.
const PATHS: usize = 4;
const ARGS: usize = 8;
const SOCKS: usize = 4;
const TEXTS: usize = 4;
const OTHERS: usize = 4;

#[derive(Debug, Clone, Copy)]
struct Ret {
    status: u8,
    /// Signed like the syscall's return (return32 sign-extended from i32).
    value: i64,
}

/// A record's tokens, by role.
struct Parts<'a> {
    subject: Option<Subject>,
    process: Option<Subject>,
    ret: Option<Ret>,
    paths: [Option<&'a [u8]>; PATHS],
    npaths: usize,
    attr: Option<Attr>,
    args: [Option<(u8, u64, &'a [u8])>; ARGS],
    nargs: usize,
    exec_args: Option<Strings<'a>>,
    exec_env: Option<Strings<'a>>,
    exit: Option<(u32, u32)>,
    socks: [Option<Token<'a>>; SOCKS],
    texts: [Option<&'a [u8]>; TEXTS],
    ntexts: usize,
    identity: Option<Identity<'a>>,
    seq: Option<u32>,
    others: [Option<Token<'a>>; OTHERS],
    nothers: usize,
    /// Whatever did not fit the slots above (never on a Mac's records).
    overflow: Vec<Token<'a>>,
    damaged: bool,
    // What the body put into OCSF attributes (the rest goes to `unmapped`).
    paths_placed: u8,
    attr_placed: bool,
    socks_placed: u8,
    env_placed: bool,
    exit_placed: bool,
    process_placed: bool,
    identity_signed: bool,
}

impl<'a> Parts<'a> {
    fn collect(rec: &Record<'a>) -> Parts<'a> {
        let mut p = Parts {
            subject: None,
            process: None,
            ret: None,
            paths: [None; PATHS],
            npaths: 0,
            attr: None,
            args: [None; ARGS],
            nargs: 0,
            exec_args: None,
            exec_env: None,
            exit: None,
            socks: [None; SOCKS],
            texts: [None; TEXTS],
            ntexts: 0,
            identity: None,
            seq: None,
            others: [None; OTHERS],
            nothers: 0,
            overflow: Vec::new(),
            damaged: false,
            paths_placed: 0,
            attr_placed: false,
            socks_placed: 0,
            env_placed: false,
            exit_placed: false,
            process_placed: false,
            identity_signed: false,
        };
        let mut nsocks = 0;
        for tok in body_tokens(rec) {
            match tok {
                Token::Header(_) | Token::Trailer { .. } => {}
                Token::Subject(s) if p.subject.is_none() => p.subject = Some(s),
                Token::Process(s) if p.process.is_none() => p.process = Some(s),
                Token::Return {
                    wide,
                    status,
                    value,
                } if p.ret.is_none() => {
                    let value = if wide {
                        value as i64
                    } else {
                        i64::from(value as u32 as i32)
                    };
                    p.ret = Some(Ret { status, value });
                }
                Token::Path(path) if p.npaths < PATHS => {
                    p.paths[p.npaths] = Some(path);
                    p.npaths += 1;
                }
                Token::Attr(a) if p.attr.is_none() => p.attr = Some(a),
                Token::Arg {
                    num, value, text, ..
                } if p.nargs < ARGS => {
                    p.args[p.nargs] = Some((num, value, text));
                    p.nargs += 1;
                }
                Token::ExecArgs(a) if p.exec_args.is_none() => p.exec_args = Some(a),
                Token::ExecEnv(e) if p.exec_env.is_none() => p.exec_env = Some(e),
                Token::Exit { status, ret } if p.exit.is_none() => p.exit = Some((status, ret)),
                Token::SockInet { .. }
                | Token::SockUnix { .. }
                | Token::SocketEx { .. }
                | Token::Socket { .. }
                | Token::InAddr(_)
                | Token::InAddrEx(_)
                | Token::IPort(_)
                    if nsocks < SOCKS =>
                {
                    p.socks[nsocks] = Some(tok);
                    nsocks += 1;
                }
                Token::Text(t) if p.ntexts < TEXTS => {
                    p.texts[p.ntexts] = Some(t);
                    p.ntexts += 1;
                }
                Token::Identity(id) if p.identity.is_none() => p.identity = Some(id),
                Token::Seq(n) if p.seq.is_none() => p.seq = Some(n),
                other => {
                    if matches!(other, Token::Unknown { .. } | Token::Malformed { .. }) {
                        p.damaged = true;
                    }
                    if p.nothers < OTHERS {
                        p.others[p.nothers] = Some(other);
                        p.nothers += 1;
                    } else {
                        p.overflow.push(other);
                    }
                }
            }
        }
        p
    }

    fn path(&self, i: usize) -> Option<&'a [u8]> {
        self.paths.get(i).copied().flatten().map(cstr)
    }

    fn texts(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.texts.iter().flatten().map(|t| cstr(t))
    }

    /// The value of the first arg token whose text is one of `names`.
    fn arg(&self, names: &[&[u8]]) -> Option<u64> {
        self.args
            .iter()
            .flatten()
            .find(|a| names.contains(&cstr(a.2)))
            .map(|a| a.1)
    }
}

/// A string field without its terminating NUL. Fields hold exactly one, at
/// the end; a NUL inside (which no writer puts there) is kept, as `\u0000`.
#[inline]
fn cstr(s: &[u8]) -> &[u8] {
    let mut end = s.len();
    while end > 0 && s[end - 1] == 0 {
        end -= 1;
    }
    &s[..end]
}

/// The tokens between the header (which the reader decoded already) and the
/// trailer.
fn body_tokens<'a>(rec: &Record<'a>) -> token::Tokens<'a> {
    token::Tokens::body(rec.bytes, rec.header.encoded_len())
}

/// A user as an event names it.
#[derive(Debug, Clone, Copy, Default)]
struct UserRef<'a> {
    name: Option<&'a [u8]>,
    uid: Option<u32>,
}

/// What a record becomes: its class and activity after the status rules and
/// the fallback, and the values the checks had to find anyway.
struct Plan<'a> {
    class: &'static Class,
    activity_id: u8,
    kind: Kind,
    /// `status_id`/`status` instead of the return token's (EINPROGRESS).
    status: Option<(u8, &'static str)>,
    /// The class the table wanted, when the fallback made a Base Event.
    intended: Option<u32>,
    user: Option<UserRef<'a>>,
    group: Option<&'a [u8]>,
    pid: Option<i64>,
}

impl<'a> Plan<'a> {
    fn new(rule: &Rule, p: &Parts<'a>) -> Plan<'a> {
        let mut plan = Plan {
            class: rule.class,
            activity_id: rule.activity_id,
            kind: rule.kind,
            status: None,
            intended: None,
            user: None,
            group: None,
            pid: None,
        };
        let subject = p.subject.is_some();
        let ok = match rule.kind {
            Kind::Logon | Kind::Logoff | Kind::Switch => {
                let named = p.texts().find_map(|t| login_user(rule.kind, t));
                let uid = p.subject.and_then(|s| match rule.kind {
                    Kind::Switch if named.is_some() => None,
                    Kind::Switch => Some(s.euid),
                    _ => (s.auid != UNSET).then_some(s.auid),
                });
                plan.user = Some(UserRef { name: named, uid });
                named.is_some() || uid.is_some()
            }
            Kind::Authorize => subject && p.ntexts > 0,
            Kind::Account => {
                let user = p.texts().find_map(account_user);
                plan.user = user;
                user.is_some()
            }
            Kind::Group => {
                let group = p
                    .texts()
                    .find_map(|t| quoted_after(t, &[b"Groups ", b"group record ", b"group "]));
                plan.group = group;
                plan.user = p
                    .texts()
                    .find_map(|t| quoted_after(t, &[b"Users ", b"user record ", b"user "]))
                    .map(|name| UserRef {
                        name: Some(name),
                        uid: None,
                    });
                group.is_some()
            }
            Kind::Exec | Kind::Exit | Kind::Process => subject,
            Kind::Spawn | Kind::Fork => {
                let child = p.arg(&[b"child PID"]).map(|v| i64::from(v as u32 as i32));
                let from_return = match (rule.kind, p.ret) {
                    (Kind::Fork, Some(r)) if r.status == 0 && r.value > 0 => Some(r.value),
                    _ => None,
                };
                plan.pid = child.or(from_return);
                subject && plan.pid.is_some()
            }
            Kind::Target => {
                plan.pid = p
                    .arg(&[b"process", b"pid", b"target PID"])
                    .map(|v| i64::from(v as u32 as i32));
                subject && (p.process.is_some() || plan.pid.is_some())
            }
            Kind::File | Kind::Kext => subject && p.path(0).is_some_and(|x| !x.is_empty()),
            Kind::Connect
            | Kind::Accept
            | Kind::Bind
            | Kind::Listen
            | Kind::Shutdown
            | Kind::Traffic => p.socks.iter().flatten().any(has_address),
            Kind::Log | Kind::Rotate | Kind::Other => true,
        };
        if !ok {
            plan.intended = Some(rule.class.uid);
            plan.class = &class::BASE_EVENT;
            plan.activity_id = 99;
            plan.kind = Kind::Other;
            return plan;
        }
        // §2.3: how a connection attempt failed is the activity.
        if matches!(rule.kind, Kind::Connect | Kind::Accept) {
            match p.ret.map(|r| r.status) {
                Some(ECONNREFUSED) => plan.activity_id = 5,
                Some(ECONNRESET) => plan.activity_id = 3,
                Some(EINPROGRESS) => plan.status = Some((99, "In Progress")),
                Some(0) | None => {}
                Some(_) => plan.activity_id = 4,
            }
        }
        plan
    }
}

/// Whether a socket token names an endpoint (an address or a socket path).
fn has_address(t: &Token<'_>) -> bool {
    match t {
        Token::SockUnix { path, .. } => !cstr(path).is_empty(),
        Token::IPort(_) => false,
        _ => true,
    }
}

/// The first word of `rest`.
fn word(rest: &[u8]) -> Option<&[u8]> {
    let end = rest
        .iter()
        .position(|b| b.is_ascii_whitespace())
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

/// The user a login or switch record's text names.
fn login_user(kind: Kind, t: &[u8]) -> Option<&[u8]> {
    if kind == Kind::Switch {
        // su: "bad su alice to root on /dev/ttys001"
        let at = find(t, b" to ")?;
        return word(&t[at + 4..]);
    }
    for prefix in [
        &b"successful login "[..],
        b"failed login ",
        b"invalid user ",
        b"login ",
    ] {
        if let Some(rest) = t.strip_prefix(prefix) {
            return word(rest);
        }
    }
    if let Some(name) = quoted_after(t, &[b"Users "]) {
        return Some(name);
    }
    // "Authentication for user <dev>"
    let at = find(t, b"user <")?;
    let rest = &t[at + 6..];
    let end = rest.iter().position(|&b| b == b'>')?;
    (end > 0).then(|| &rest[..end])
}

/// The user record an Open Directory text names, with its uid when given:
/// "Create user record 'bob' (uid 502) in node '/Local/Default'".
fn account_user(t: &[u8]) -> Option<UserRef<'_>> {
    let name = quoted_after(t, &[b"Users ", b"user record ", b"user "])?;
    let uid = find(t, b"(uid ").and_then(|at| {
        let digits: &[u8] = &t[at + 5..];
        let n = digits.iter().take_while(|b| b.is_ascii_digit()).count();
        std::str::from_utf8(&digits[..n]).ok()?.parse().ok()
    });
    Some(UserRef {
        name: Some(name),
        uid,
    })
}

/// The single-quoted word right after one of `prefixes`.
fn quoted_after<'t>(t: &'t [u8], prefixes: &[&[u8]]) -> Option<&'t [u8]> {
    for prefix in prefixes {
        if let Some(at) = find(t, prefix) {
            let rest = &t[at + prefix.len()..];
            if let Some(rest) = rest.strip_prefix(b"'") {
                if let Some(end) = rest.iter().position(|&b| b == b'\'') {
                    if end > 0 {
                        return Some(&rest[..end]);
                    }
                }
            }
        }
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// §2.2: the return token's status.
fn status(out: &mut Vec<u8>, ret: Option<Ret>, special: Option<(u8, &'static str)>) {
    let (id, caption) = match (special, ret) {
        (Some(s), _) => s,
        (None, None) => (0, "Unknown"),
        (None, Some(r)) if r.status == 0 => (1, "Success"),
        (None, Some(_)) => (2, "Failure"),
    };
    key!(out, "status_id");
    json::u64(out, u64::from(id));
    key!(out, "status");
    json::caption(out, caption);
    if let Some(r) = ret.filter(|r| r.status != 0) {
        let known = bsm::errno::lookup(r.status);
        key!(out, "status_code");
        match known {
            Some(e) => json::str(out, e.name),
            None => json::u64_str(out, u64::from(r.status)),
        }
        key!(out, "status_detail");
        match known {
            Some(e) => json::str(out, e.text),
            // Rare: the allocation of bsm's own wording costs nothing here.
            None => json::str(out, &bsm::errno::text(r.status)),
        }
    }
}

/// `message`: the record's texts, joined by "; ".
fn message(out: &mut Vec<u8>, p: &Parts<'_>) {
    if p.ntexts == 0 {
        return;
    }
    key!(out, "message");
    out.push(b'"');
    for (i, t) in p.texts().enumerate() {
        if i > 0 {
            out.extend_from_slice(b"; ");
        }
        json::bytes_inner(out, t);
    }
    out.push(b'"');
}

/// `"user":{…}` with the name and uid the record gives (either may be absent).
fn user_object(out: &mut Vec<u8>, u: &UserRef<'_>) {
    key!(out, "user");
    out.push(b'{');
    if let Some(name) = u.name {
        key!(out, "name");
        json::bytes(out, name);
    }
    if let Some(uid) = u.uid {
        uid_members(out, uid);
    }
    out.push(b'}');
}

/// `uid` (string) and `uid_numeric` of a user.
pub(crate) fn uid_members(out: &mut Vec<u8>, uid: u32) {
    key!(out, "uid");
    out.push(b'"');
    json::u64(out, u64::from(uid));
    out.extend_from_slice(b"\",\"uid_numeric\":");
    json::u64(out, u64::from(uid));
}

fn is_remote(a: &Addr) -> bool {
    a.octets().iter().any(|&b| b != 0)
}

/// `"actor":{` and the members a subject token alone decides: its process
/// (pid, effective ids, real user), its audit user when set and its audit
/// session. [`Mapper::actor`] adds what the rest of the record says.
fn actor_open(out: &mut Vec<u8>, s: &Subject) {
    key!(out, "actor");
    out.push(b'{');
    key!(out, "process");
    out.push(b'{');
    process_ids(out, s);
    out.push(b'}');
    if s.auid != UNSET {
        key!(out, "user");
        out.push(b'{');
        uid_members(out, s.auid);
        out.push(b'}');
    }
    key!(out, "session");
    out.push(b'{');
    key!(out, "uid");
    json::u64_str(out, u64::from(s.sid));
    key!(out, "is_remote");
    json::bool(out, is_remote(&s.addr));
    out.push(b'}');
}

/// The members of a process object a subject or process token gives.
fn process_ids(out: &mut Vec<u8>, s: &Subject) {
    key!(out, "pid");
    json::u64(out, u64::from(s.pid));
    key!(out, "euid");
    json::u64(out, u64::from(s.euid));
    key!(out, "egid");
    json::u64(out, u64::from(s.egid));
    key!(out, "user");
    out.push(b'{');
    uid_members(out, s.ruid);
    out.push(b'}');
}

/// What `unmapped.bsm.subject`/`process` keep of a subject token: the audit
/// user, the real group, the session and the terminal (everything when the
/// token found no OCSF place at all).
fn subject_rest(out: &mut Vec<u8>, s: &Subject, all: bool) {
    out.push(b'{');
    key!(out, "auid");
    json::u64(out, u64::from(s.auid));
    if all {
        key!(out, "euid");
        json::u64(out, u64::from(s.euid));
        key!(out, "egid");
        json::u64(out, u64::from(s.egid));
        key!(out, "ruid");
        json::u64(out, u64::from(s.ruid));
        key!(out, "pid");
        json::u64(out, u64::from(s.pid));
    }
    key!(out, "rgid");
    json::u64(out, u64::from(s.rgid));
    key!(out, "session");
    json::u64(out, u64::from(s.sid));
    key!(out, "terminal");
    out.push(b'{');
    key!(out, "port");
    json::u64(out, s.port);
    key!(out, "address");
    json::addr(out, &s.addr);
    out.push(b'}');
    out.push(b'}');
}

/// `file.type_id` from the attr token's mode (`S_IFMT`).
fn file_type(mode: u32) -> u8 {
    match mode & 0o170000 {
        0o100000 => 1,
        0o040000 => 2,
        0o020000 => 3,
        0o060000 => 4,
        0o140000 => 5,
        0o010000 => 6,
        0o120000 => 7,
        _ => 0,
    }
}

/// A file object for `path`.
fn file(out: &mut Vec<u8>, path: &[u8], attr: Option<&Attr>, default_type: Option<u8>) {
    out.push(b'{');
    file_members(out, path, attr, default_type);
    out.push(b'}');
}

fn file_members(out: &mut Vec<u8>, path: &[u8], attr: Option<&Attr>, default_type: Option<u8>) {
    // The name and the folder are parts of the path (or "/"): when the path
    // needs no escaping, neither do they.
    let string = if json::plain(path) {
        json::plain_str
    } else {
        json::bytes
    };
    let (name, folder) = split_path(path);
    key!(out, "name");
    string(out, name);
    next_key!(out, "path");
    string(out, path);
    if let Some(dir) = folder {
        next_key!(out, "parent_folder");
        string(out, dir);
    }
    let type_id = match attr {
        Some(a) => file_type(a.mode),
        None => default_type.unwrap_or(0),
    };
    key!(out, "type_id");
    json::u64(out, u64::from(type_id));
    key!(out, "type");
    json::caption(out, class::file_type_caption(type_id));
    if let Some(a) = attr {
        key!(out, "uid");
        json::u64_str(out, a.node);
        key!(out, "owner");
        out.push(b'{');
        uid_members(out, a.uid);
        out.push(b'}');
    }
}

/// `signatures` of an executable from the identity token (macOS 11+).
fn signature(out: &mut Vec<u8>, id: &Identity<'_>) {
    key!(out, "signatures");
    out.extend_from_slice(b"[{");
    key!(out, "algorithm_id");
    out.push(b'5');
    lit!(out, "algorithm", "Code Signing");
    let team = cstr(id.team_id);
    if !team.is_empty() {
        key!(out, "developer_uid");
        json::bytes(out, team);
    }
    if !id.cdhash.is_empty() {
        key!(out, "digest");
        out.push(b'{');
        key!(out, "algorithm_id");
        out.extend_from_slice(b"99");
        lit!(out, "algorithm", "CDHash");
        key!(out, "value");
        json::hex(out, id.cdhash);
        out.push(b'}');
    }
    out.extend_from_slice(b"}]");
}

/// The last component of a path (`/` for the root itself).
fn basename(path: &[u8]) -> &[u8] {
    let trimmed = match path.iter().rposition(|&b| b != b'/') {
        Some(end) => &path[..=end],
        None if path.is_empty() => return path,
        None => return b"/",
    };
    match trimmed.iter().rposition(|&b| b == b'/') {
        Some(at) => &trimmed[at + 1..],
        None => trimmed,
    }
}

/// [`basename`] and [`dirname`] at once: for a path without a trailing
/// slash (nearly all), one search for the last slash gives both.
#[inline]
fn split_path(path: &[u8]) -> (&[u8], Option<&[u8]>) {
    match path.last() {
        Some(&last) if last != b'/' => match memchr::memrchr(b'/', path) {
            Some(0) => (&path[1..], Some(b"/")),
            Some(at) => (&path[at + 1..], Some(&path[..at])),
            None => (path, None),
        },
        _ => (basename(path), dirname(path)),
    }
}

/// The folder holding a path, for absolute paths below the root.
fn dirname(path: &[u8]) -> Option<&[u8]> {
    let end = path.iter().rposition(|&b| b != b'/')?;
    let at = path[..=end].iter().rposition(|&b| b == b'/')?;
    Some(if at == 0 { b"/" } else { &path[..at] })
}

/// The command line: arguments joined by spaces, each quoted for a POSIX
/// shell when it is empty or holds whitespace, quotes or backslashes.
fn cmd_line(out: &mut Vec<u8>, args: &Strings<'_>) {
    out.push(b'"');
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        let plain = !a.is_empty()
            && !a
                .iter()
                .any(|&b| b.is_ascii_whitespace() || matches!(b, b'\'' | b'"' | b'\\'));
        if plain {
            json::bytes_inner(out, a);
        } else {
            out.push(b'\'');
            for (j, part) in a.split(|&b| b == b'\'').enumerate() {
                if j > 0 {
                    // ' → '\'' (close, escaped quote, reopen); in JSON the
                    // backslash doubles.
                    out.extend_from_slice(b"'\\\\''");
                }
                json::bytes_inner(out, part);
            }
            out.push(b'\'');
        }
    }
    out.push(b'"');
}

fn strings(out: &mut Vec<u8>, s: &Strings<'_>) {
    out.push(b'[');
    for a in s.iter() {
        json::comma(out);
        json::bytes(out, a);
    }
    out.push(b']');
}

fn octal(out: &mut Vec<u8>, mut v: u32) {
    let mut digits = [0u8; 11];
    let mut n = 0;
    loop {
        digits[n] = b'0' + (v & 7) as u8;
        n += 1;
        v >>= 3;
        if v == 0 {
            break;
        }
    }
    out.extend(digits[..n].iter().rev());
}

/// A rare token in `bsm::json`'s shape (serde_json never fails on a `Value`).
fn value(out: &mut Vec<u8>, v: &serde_json::Value) {
    let _ = serde_json::to_writer(&mut *out, v);
}

/// One end of a connection.
#[derive(Debug, Clone, Copy)]
struct Endpoint<'a> {
    ip: Option<Addr>,
    port: Option<u16>,
    name: Option<&'a [u8]>,
}

impl<'a> Endpoint<'a> {
    fn ip(addr: Addr, port: u16) -> Endpoint<'a> {
        Endpoint {
            ip: Some(addr),
            port: Some(port),
            name: None,
        }
    }

    fn name(path: &'a [u8]) -> Endpoint<'a> {
        Endpoint {
            ip: None,
            port: None,
            name: Some(path),
        }
    }
}

fn endpoint(out: &mut Vec<u8>, e: &Endpoint<'_>) {
    out.push(b'{');
    if let Some(a) = &e.ip {
        key!(out, "ip");
        json::addr(out, a);
    }
    if let Some(p) = e.port {
        key!(out, "port");
        json::u64(out, u64::from(p));
    }
    if let Some(n) = e.name {
        key!(out, "name");
        json::bytes(out, n);
    }
    out.push(b'}');
}

#[derive(Debug, Default)]
struct Endpoints<'a> {
    src: Option<Endpoint<'a>>,
    dst: Option<Endpoint<'a>>,
}

impl<'a> Endpoints<'a> {
    /// A single address: the source for accept and bind, else the destination.
    /// The first one of each side wins; later ones stay in `unmapped`.
    fn put(&mut self, as_src: bool, e: Endpoint<'a>) -> bool {
        let slot = if as_src { &mut self.src } else { &mut self.dst };
        if slot.is_some() {
            return false;
        }
        *slot = Some(e);
        true
    }

    /// A local/remote pair: local is the source, remote the destination,
    /// except for accept, where the remote peer is the source.
    fn pair(&mut self, kind: Kind, local: Endpoint<'a>, remote: Endpoint<'a>) -> bool {
        if self.src.is_some() || self.dst.is_some() {
            return false;
        }
        let (src, dst) = if kind == Kind::Accept {
            (remote, local)
        } else {
            (local, remote)
        };
        self.src = Some(src);
        self.dst = Some(dst);
        true
    }

    /// An in_addr token: the destination's address.
    fn put_ip(&mut self, a: Addr) -> bool {
        match &mut self.dst {
            None => {
                self.dst = Some(Endpoint {
                    ip: Some(a),
                    port: None,
                    name: None,
                });
                true
            }
            Some(d) if d.ip.is_none() => {
                d.ip = Some(a);
                true
            }
            Some(_) => false,
        }
    }

    /// An iport token: the destination's port.
    fn put_port(&mut self, port: u16) -> bool {
        match &mut self.dst {
            Some(d) if d.port.is_none() && d.name.is_none() => {
                d.port = Some(port);
                true
            }
            _ => false,
        }
    }

    fn version(&self) -> Option<u8> {
        let e = self.dst.as_ref().or(self.src.as_ref())?;
        match e.ip? {
            Addr::V4(_) => Some(4),
            Addr::V6(_) => Some(6),
        }
    }

    /// `connection_info.direction_id`: outbound for connect and send, inbound
    /// for accept, local when the peer is this machine; none for bind, listen
    /// and shutdown (no connection is named).
    fn direction(&self, kind: Kind) -> Option<u8> {
        let peer = match kind {
            Kind::Connect | Kind::Traffic => self.dst.as_ref(),
            Kind::Accept => self.src.as_ref(),
            _ => return None,
        }?;
        let local = match peer.ip {
            None => peer.name.is_some(),
            Some(Addr::V4(a)) => a[0] == 127,
            Some(Addr::V6(a)) => a == std::net::Ipv6Addr::LOCALHOST.octets(),
        };
        Some(if local {
            4
        } else if kind == Kind::Accept {
            1
        } else {
            2
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_time_digits_are_those_of_the_milliseconds() {
        let mut memo = Memo::default();
        for (sec, msec) in [
            (1_710_407_700u64, 5u32),
            (1_710_407_700, 50),
            (1_710_407_700, 999),
            (1_710_407_701, 0),
            (1, 0),
            (0, 5),
            (1, 1000),
            (1_710_407_700, u32::MAX),
            (MAX_PLAIN_SEC, 999),
            (MAX_PLAIN_SEC + 1, 0),
            (u64::MAX, 3),
            (1_710_407_700, 7),
        ] {
            let mut out = b"\"time\":".to_vec();
            memo.time(&mut out, sec, msec);
            let millis = i64::try_from(sec)
                .unwrap_or(i64::MAX / 1000)
                .saturating_mul(1000)
                .saturating_add(i64::from(msec));
            assert_eq!(
                String::from_utf8(out).unwrap(),
                format!("\"time\":{millis}"),
                "{sec} s {msec} ms"
            );
        }
    }

    /// The memo only saves work: every record maps to the same bytes whatever
    /// the mapper saw before (records in order, reversed, or a fresh mapper),
    /// with trails alternating under it.
    #[test]
    fn remembered_pieces_render_as_fresh_ones() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/bsm");
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "bsm"))
            .collect();
        files.sort();
        let mut bytes: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
        // Subjects that differ from one another in one field each, the pid
        // (the first thing a cache would look at) always the same.
        let base = bsm::write::SubjectInfo {
            auid: 501,
            euid: 501,
            egid: 20,
            ruid: 501,
            rgid: 20,
            pid: 4242,
            sid: 100_004,
            port: 50_331_650,
            addr: Addr::V4([0; 4]),
        };
        let variants = [
            base,
            bsm::write::SubjectInfo { auid: 502, ..base },
            bsm::write::SubjectInfo {
                auid: UNSET,
                ..base
            },
            bsm::write::SubjectInfo { euid: 0, ..base },
            bsm::write::SubjectInfo { egid: 0, ..base },
            bsm::write::SubjectInfo { ruid: 0, ..base },
            bsm::write::SubjectInfo { rgid: 0, ..base },
            bsm::write::SubjectInfo { sid: 7, ..base },
            bsm::write::SubjectInfo { port: 22, ..base },
            bsm::write::SubjectInfo {
                addr: Addr::V4([10, 0, 0, 7]),
                ..base
            },
        ];
        let mut made = Vec::new();
        for round in 0..3u32 {
            for (i, v) in variants.iter().enumerate() {
                // AUE_EXECVE: actor, process ids and the subject's rest.
                let mut r = bsm::write::RecordBuilder::new(23, 1_710_407_700 + round, i as u32);
                if i % 2 == 0 {
                    r.subject32(v);
                } else {
                    r.subject32_ex(v);
                }
                r.exec_args(&["ls", "-l"]).path("/bin/ls").return32(0, 0);
                r.finish_into(&mut made);
            }
        }
        bytes.push(made);
        let records: Vec<Record<'_>> = bytes
            .iter()
            .flat_map(|b| bsm::Reader::new(b))
            .filter_map(|i| match i {
                bsm::Item::Record(r) => Some(r),
                _ => None,
            })
            .collect();
        assert!(records.len() > 400, "{} records", records.len());
        let trails = [
            TrailId::from_name("20240314091500.20240314101500"),
            TrailId::from_name("20240314101500.not_terminated"),
        ];
        let new = || Mapper::new(&EventTable::apple(), Host::named("mac.local"));
        let map = |m: &Mapper, i: usize| {
            let mut out = Vec::new();
            m.record(&mut out, &records[i], &trails[i % 2]);
            out
        };
        let forward = new();
        let ahead: Vec<Vec<u8>> = (0..records.len()).map(|i| map(&forward, i)).collect();
        let backward = new();
        for i in (0..records.len()).rev() {
            assert_eq!(map(&backward, i), ahead[i], "record {i}, mapped in reverse");
        }
        for i in (0..records.len()).step_by(37) {
            assert_eq!(map(&new(), i), ahead[i], "record {i}, fresh mapper");
        }
        let subjects = ahead
            .iter()
            .filter(|e| e.windows(8).any(|w| w == b"\"actor\":"))
            .count();
        assert!(
            subjects > 300,
            "the fixtures exercise the subject memo: {subjects}"
        );
    }

    #[test]
    fn paths_split_like_dirname_and_basename() {
        for (path, base, dir) in [
            (&b"/etc/hosts"[..], &b"hosts"[..], Some(&b"/etc"[..])),
            (b"/bin", b"bin", Some(b"/")),
            (b"/", b"/", None),
            (b"/usr/lib/", b"lib", Some(b"/usr")),
            (b"relative", b"relative", None),
            (b"", b"", None),
            (b"a/b", b"b", Some(b"a")),
            (b"//x", b"x", Some(b"/")),
            (b"/usr//lib", b"lib", Some(b"/usr/")),
        ] {
            assert_eq!(basename(path), base, "{path:?}");
            assert_eq!(dirname(path), dir, "{path:?}");
            assert_eq!(split_path(path), (base, dir), "{path:?}");
        }
    }

    #[test]
    fn texts_name_their_users() {
        assert_eq!(
            login_user(Kind::Logon, b"successful login alice"),
            Some(&b"alice"[..])
        );
        assert_eq!(
            login_user(Kind::Logon, b"invalid user admin"),
            Some(&b"admin"[..])
        );
        assert_eq!(
            login_user(
                Kind::Logon,
                b"Verify password for record type Users 'alice' node '/Local/Default'"
            ),
            Some(&b"alice"[..])
        );
        assert_eq!(
            login_user(Kind::Logon, b"Authentication for user <dev>"),
            Some(&b"dev"[..])
        );
        assert_eq!(
            login_user(Kind::Switch, b"bad su alice to root on /dev/ttys001"),
            Some(&b"root"[..])
        );
        assert_eq!(login_user(Kind::Logon, b"loginwindow"), None);
        let u =
            account_user(b"Create user record 'bob' (uid 502) in node '/Local/Default'").unwrap();
        assert_eq!(u.name, Some(&b"bob"[..]));
        assert_eq!(u.uid, Some(502));
        assert!(account_user(b"user record").is_none());
    }

    #[test]
    fn command_lines_quote_what_a_shell_would_split() {
        let raw = b"ls\0-la\0my file\0it's\0\0";
        let s = Strings { count: 5, raw };
        let mut out = Vec::new();
        cmd_line(&mut out, &s);
        let text: String = serde_json::from_slice(&out).unwrap();
        assert_eq!(text, r#"ls -la 'my file' 'it'\''s' ''"#);
    }

    #[test]
    fn modes_give_file_types() {
        assert_eq!(file_type(0o100644), 1);
        assert_eq!(file_type(0o040755), 2);
        assert_eq!(file_type(0o120777), 7);
        assert_eq!(file_type(0o010600), 6);
        assert_eq!(file_type(0), 0);
        let mut out = Vec::new();
        octal(&mut out, 0o100644);
        assert_eq!(out, b"100644");
    }
}
