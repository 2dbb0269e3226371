export async function benchCommand(_o: unknown) { throw new Error('todo'); }
