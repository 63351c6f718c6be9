// Original file: server/proto/agent.proto


export interface Empty {
}

export interface Empty__Output {
}
