/** A small titled bullet list (who a message reached, who not); nothing when empty. */
export function TitledList({ title, items }: { title: string; items: string[] }) {
  if (items.length === 0) return null
  return (
    <div className="mt-1">
      <p className="font-medium">{title}</p>
      <ul className="ml-4 list-disc">
        {items.map((item) => (
          <li key={item}>{item}</li>
        ))}
      </ul>
    </div>
  )
}
