"""Capture devices and the attestation of what they signed."""
from server.areas.area import Area
from server.domain.attestation.models import Device
from server.graphql.attestation.resolvers import AttestationMutation, AttestationQuery

AREA = Area(
    name="attestation",
    tables=(Device,),
    queries=(AttestationQuery,),
    mutations=(AttestationMutation,),
    reads={"Attestation": ("media",)},  # the verdict is stored with the media row it attests
)
