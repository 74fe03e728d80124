"""emreport: data-driven work summaries for emergency-management bureaus."""
