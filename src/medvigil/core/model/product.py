"""Device products and their versions: the clinical context the risk decisions need."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class DeviceClass(StrEnum):
    """FDA device class."""

    I = "I"  # noqa: E741 - the regulatory name of the class
    II = "II"
    III = "III"


class RegulatoryPathway(StrEnum):
    """Premarket pathway under which the device was cleared or approved."""

    K510 = "510k"
    DE_NOVO = "de-novo"
    PMA = "pma"
    EXEMPT = "exempt"
    OTHER = "other"


class Interface(StrEnum):
    """Network and data interfaces of a device."""

    ETHERNET = "ethernet"
    WIFI = "wifi"
    BLUETOOTH = "bluetooth"
    BLE = "ble"
    CELLULAR = "cellular"
    USB = "usb"
    SERIAL = "serial"
    RF_TELEMETRY = "rf-telemetry"
    OTHER = "other"


class Lifecycle(StrEnum):
    """Lifecycle stage of a product version."""

    DEVELOPMENT = "development"
    SUPPORT = "support"
    LIMITED_SUPPORT = "limited-support"
    END_OF_SUPPORT = "end-of-support"


@dataclass(frozen=True, slots=True)
class CyberDeviceStatus:
    """Whether a product is a "cyber device" under FD&C Act section 524B, and why."""

    is_cyber_device: bool
    """The answer used for obligations."""
    derived: bool
    """What the definition gives from software + connectivity."""
    reason: str
    """Human-readable reason (the override's reason when overridden)."""
    overridden: bool
    """True when an analyst overrode the derived value."""


def cyber_device_status(
    *,
    has_software: bool,
    interfaces: tuple[Interface, ...] | list[Interface],
    override: bool | None = None,
    override_reason: str = "",
) -> CyberDeviceStatus:
    """Derive 524B status: software, plus the ability to connect (any network or data interface).

    524B(c) defines a cyber device as one that includes software, can connect to the internet and
    could be vulnerable to cybersecurity threats. FDA reads "ability to connect" broadly (any
    network, wireless or wired data interface, USB and serial included), so any interface counts.
    An override needs a reason.
    """
    derived = has_software and len(interfaces) > 0
    if not has_software:
        why = "no software"
    elif derived:
        names = ", ".join(sorted(str(i) for i in interfaces))
        why = f"includes software and can connect ({names})"
    else:
        why = "includes software but declares no network or data interface"
    if override is None:
        return CyberDeviceStatus(derived, derived, why, overridden=False)
    if not override_reason.strip():
        raise ValueError("overriding the cyber-device status needs a reason")
    return CyberDeviceStatus(override, derived, f"overridden: {override_reason.strip()}", overridden=True)
