export async function parseEvtxFileParallel(..._a: unknown[]): Promise<never> { throw new Error("todo"); }
