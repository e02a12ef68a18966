"""Step 4: a supernet carved into one subnet per cable, plus MTU, layout, netstack and NIC speed."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.widgets import DataTable, Input, Label, Static

from vmesh_tui.core.design import DesignOptions
from vmesh_tui.core.errors import CoreError
from vmesh_tui.core.model import HostState, split_ref
from vmesh_tui.core.ordering import is_owned_vmk
from vmesh_tui.core.pairing import Pairing
from vmesh_tui.tui.screens.base import VmeshScreen
from vmesh_tui.tui.widgets.choice import Choice
from vmesh_tui.tui.widgets.fields import form_field

PREFIXES = [("/30 (safe)", 30), ("/31 (unconfirmed)", 31)]
LAYOUTS = [("one vSwitch per link", "per-link"), ("shared vSwitch (older)", "shared")]
NETSTACKS = [("default", "default"), ("vmotion stack", "vmotion")]
AUTO = ("auto-negotiate", None)


def speed_choices(hosts: Sequence[HostState], pairing: Pairing | None) -> list[tuple[str, int | None]]:
    """Auto-negotiate, then every full-duplex speed that all the cabled NICs accept (as their hosts report
    in validLinkSpecification): a speed one end cannot run is never offered."""
    by_name = {host.name: host for host in hosts}
    common: set[int] | None = None
    for cable in pairing.cables if pairing else ():
        for ref in cable.ends:
            host, device = split_ref(ref)
            pnic = by_name[host].pnic(device) if host in by_name else None
            if pnic is None or not pnic.valid_speeds:
                continue  # a NIC that does not say restricts nothing here; preflight still checks
            speeds = {mb for mb, full in pnic.valid_speeds if full}
            common = speeds if common is None else common & speeds
    return [AUTO, *((f"force {mb}/full", mb) for mb in sorted(common or ()))]


def parse_mtu(text: str) -> int:
    """The MTU typed by the admin; CoreError with the accepted range otherwise."""
    try:
        value = int(text.strip())
    except ValueError:
        raise CoreError("bad-mtu", f"MTU {text!r} is not a number", "type 9000 for jumbo frames") from None
    if not 1280 <= value <= 9000:
        raise CoreError("bad-mtu", f"MTU {value} is outside 1280-9000", "type 9000 for jumbo frames")
    return value


def in_use_line(hosts: Sequence[HostState], owned_prefix: str = DesignOptions().name_prefix) -> str:
    """The networks the hosts' vmks already use (the supernet must avoid them), each with its vmks, in
    address order. The tool's own link vmks are left out: carve reuses their subnets, it does not avoid
    them."""
    users: dict[ipaddress.IPv4Network | ipaddress.IPv6Network, list[str]] = {}
    for host in hosts:
        for vmk in host.vmks:
            if vmk.cidr and not is_owned_vmk(host, vmk, owned_prefix):
                network = ipaddress.ip_interface(vmk.cidr).network
                users.setdefault(network, []).append(f"{vmk.device}@{host.name.split('.')[0]}")
    if not users:
        return "In use on the hosts: no vmk networks."
    ordered = sorted(users.items(), key=lambda item: (item[0].version, item[0]))
    parts = [f"{network} ({', '.join(names)})" for network, names in ordered]
    return "In use on the hosts (avoided): " + "; ".join(parts)


class AddressingScreen(VmeshScreen):
    STEP = "Addressing"
    HELP_KEYS = [
        ("tab", "next field"),
        ("space/arrows", "change a choice (prefix, layout, netstack, speed)"),
        ("ctrl+n / enter", "accept and preview the changes"),
        ("/30", "two addresses per cable: the lower one goes to the first host"),
        ("/31", "RFC 3021; vmkernel support is unconfirmed, so it warns"),
    ]
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+n", "next", "Next"),
        Binding("enter", "next", "Next", show=False),  # on a choice too: enter never changes a value
    ]

    def compose(self) -> ComposeResult:
        d = self.draft
        yield from self.compose_title()
        with Vertical(id="body"):
            yield Static("One subnet per cable, so each vmk can only reach its own peer.", classes="hint")
            yield Static(in_use_line(self.draft.hosts), id="in-use", classes="hint", markup=False)
            with Grid(id="address-form"):
                yield Label("Supernet")
                yield form_field(d.supernet, "e.g. 172.16.90.0/24", "supernet")
                yield Label("Prefix")
                yield Choice(PREFIXES, d.prefix, id="prefix")
                yield Label("MTU")
                yield form_field(str(d.mtu), "", "mtu")
                yield Label("Layout")
                yield Choice(LAYOUTS, d.layout, id="layout")
                yield Label("Netstack")
                yield Choice(NETSTACKS, d.netstack, id="netstack")
                yield Label("NIC speed")
                yield Choice(speed_choices(d.hosts, d.pairing), d.speed_mb, id="speed")
            yield DataTable(id="links", cursor_type="row", zebra_stripes=True)
            yield Static("", id="findings", markup=False)
            yield Static("", id="status", markup=False)
        yield self.footer()

    def on_mount(self) -> None:
        self.query_one("#supernet", Input).focus()
        self.recompute()

    @on(Input.Changed)
    @on(Choice.Changed)
    def recompute(self) -> None:
        """Carve again on every keystroke; show the core's error inline, never a traceback."""
        from vmesh_tui.core.addressing import carve

        supernet = self.query_one("#supernet", Input)
        mtu_input = self.query_one("#mtu", Input)
        self.links: tuple = ()
        try:
            mtu = parse_mtu(mtu_input.value)
            mtu_input.remove_class("-invalid")
        except CoreError as exc:
            mtu_input.add_class("-invalid")
            self.fill_table(())
            self.query_one("#findings", Static).update("")  # a warning about the last good value is stale
            self.say(str(exc), error=True)
            return
        try:
            addressing = carve(
                self.draft.pairing.cables if self.draft.pairing else (),
                supernet.value.strip(),
                self.query_one("#prefix", Choice).value,
                self.draft.hosts,
            )
        except CoreError as exc:
            supernet.add_class("-invalid")
            self.fill_table(())
            self.query_one("#findings", Static).update("")  # a warning about the last good value is stale
            self.say(str(exc), error=True)
            return
        supernet.remove_class("-invalid")
        self.links = addressing.links
        self.mtu = mtu
        self.fill_table(addressing.links)
        warnings = [
            f"! {f.message} ({f.remedy})" if f.remedy else f"! {f.message}" for f in addressing.findings
        ]
        if self.query_one("#layout", Choice).value == "shared":
            warnings.append("! shared vSwitch: failover overrides may not steer traffic; per-link is safer")
        self.query_one("#findings", Static).update("\n".join(warnings))
        self.say(f"{len(self.links)} link(s), MTU {mtu}. ctrl+n or enter: preview.")

    def fill_table(self, links: tuple) -> None:
        table = self.query_one("#links", DataTable)
        table.clear(columns=True)
        names = sorted(h.name for h in self.draft.hosts)
        two = len(names) == 2
        a_head = f"{names[0][:15]} IP" if two else "A IP"
        b_head = f"{names[1][:15]} IP" if two else "B IP"
        for label, width in (
            ("#", 2),
            ("cable", 15 if two else 40),
            ("subnet", 16),
            (a_head, 18),
            (b_head, 18),
        ):
            table.add_column(label, width=width)
        for link in links:
            if two:
                cable = f"{split_ref(link.cable.a)[1]}-{split_ref(link.cable.b)[1]}"
            else:
                cable = f"{link.cable.a} {link.cable.b}"
            table.add_row(str(link.number), cable, link.subnet, link.a_ip, link.b_ip)

    @on(Input.Submitted)
    def submitted(self) -> None:
        self.action_next()

    def action_next(self) -> None:
        self.recompute()
        if not self.links:
            self.query_one("#supernet", Input).focus()
            return
        self.dismiss(
            self.draft.with_(
                supernet=self.query_one("#supernet", Input).value.strip(),
                prefix=self.query_one("#prefix", Choice).value,
                mtu=self.mtu,
                layout=self.query_one("#layout", Choice).value,
                netstack=self.query_one("#netstack", Choice).value,
                speed_mb=self.query_one("#speed", Choice).value,
                links=self.links,
            )
        )
