"""Publishing: advisories and VEX drafted from a case, reviewed, published as immutable bytes."""
