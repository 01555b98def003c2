"""HL7 FHIR R4 intake: Observation, summary MeasureReport and Bundles of either, matched to measures by code."""
