"""Risk assessment: CVSS scoring, the MITRE rubric, exploitability, patient harm, the risk matrix,
VEX status and the assessment service that ties them together (regulatory.md 1.4, 1.10, 3, 6.5).

Modules: ``cvss`` (vectors and scores), ``rubric`` (MITRE questionnaire), ``exploitability``
(band policy), ``harm`` (ISO 14971 severity), ``matrix`` (controlled/uncontrolled), ``vex``
(status and crosswalk), ``assess`` (``propose_assessment`` / ``confirm_assessment``).
"""
