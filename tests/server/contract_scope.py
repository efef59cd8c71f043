"""Contract parts not built yet, by the issue that builds them. This list only shrinks."""
UNBUILT: tuple[str, ...] = ()
_OLD = (
    # evidence media (issue 3)
    "Media", "UploadTicket", "EvidenceCheck", "RequestUploadInput", "Mutation.requestUpload",
    "Mutation.completeUpload", "Query.media",
    # inspections and the rectification loop (issue 4)
    "Inspection", "Measurement", "Task", "Submission", "Review", "TaskEvent", "RecordInspectionInput",
    "MeasurementInput", "CreateTaskInput", "SubmitRectificationInput", "ReviewSubmissionInput", "TaskFilter",
    "Outfall.latestInspection", "Outfall.inspections", "Outfall.tasks", "Query.inspection", "Query.task",
    "Query.tasks", "Mutation.recordInspection", "Mutation.createTask", "Mutation.startTask",
    "Mutation.submitRectification", "Mutation.reviewSubmission", "Mutation.cancelTask", "Subscription",
    "missing type Subscription", "CheckSeverity", "Parameter", "KeyValue",
)
