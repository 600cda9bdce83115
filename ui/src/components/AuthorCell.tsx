import { authorName } from "../lib/format";

/** A table cell with a change's author by name; the full `Name <address>` in its tooltip. */
export function AuthorCell({ author }: { author: string | null }) {
  return (
    <td className="author-cell" title={author ?? undefined}>
      {author ? authorName(author) : "—"}
    </td>
  );
}
