/** The hidden fields that carry the version an edit form was drawn from (actions.ts reads them). */
export const versionField = "_version";
export const seenField = "_seen";
