export const flashCookie = "portcullis_flash";
