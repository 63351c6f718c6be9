/** Sent by the controller and the web whenever a session or one of its kernels changes status. */
export const SESSION_STATUS_CHANNEL = "hypercell_session_status";
