// The scheduler alone: events in, actions out, nothing run. Steps are plain numbers; the diamond
// 0 → {1, 2} → 3 and a free-standing 4 cover the policies.
import XCTest
@testable import Pipeline

final class SchedulerTests: XCTestCase {
    /// 0 → 1, 0 → 2, {1, 2} → 3; 4 depends on nothing.
    let producers: [Int: [Int]] = [0: [], 1: [0], 2: [0], 3: [1, 2], 4: []]

    func scheduler(jobs: Int = 4, keepGoing: Bool = false) -> Scheduler {
        Scheduler(steps: [0, 1, 2, 3, 4], producers: producers, jobs: jobs, keepGoing: keepGoing)
    }

    func testEverythingCachedIsCheckedOnceInPlanOrder() {
        var s = scheduler()
        XCTAssertEqual(s.handle(.start), [.check(0), .check(4)])
        XCTAssertEqual(s.handle(.checked(0, cached: true)), [.check(1), .check(2)])
        XCTAssertEqual(s.handle(.checked(4, cached: true)), [])
        XCTAssertEqual(s.handle(.checked(1, cached: true)), [])
        XCTAssertEqual(s.handle(.checked(2, cached: true)), [.check(3)])
        XCTAssertEqual(s.handle(.checked(3, cached: true)), [.finish(.succeeded)])
    }

    func testACachedStageBetweenExecutedOnes() {
        var s = scheduler()
        XCTAssertEqual(s.handle(.start), [.check(0), .check(4)])
        XCTAssertEqual(s.handle(.checked(0, cached: false)), [.launch(0)])
        XCTAssertEqual(s.handle(.checked(4, cached: true)), [])
        XCTAssertEqual(s.handle(.succeeded(0)), [.check(1), .check(2)])
        XCTAssertEqual(s.handle(.checked(1, cached: true)), [])
        XCTAssertEqual(s.handle(.checked(2, cached: false)), [.launch(2)])
        XCTAssertEqual(s.handle(.succeeded(2)), [.check(3)])
        XCTAssertEqual(s.handle(.checked(3, cached: false)), [.launch(3)])
        XCTAssertEqual(s.handle(.succeeded(3)), [.finish(.succeeded)])
    }

    func testTheJobLimitQueuesCheckedStepsWithoutCheckingThemAgain() {
        var s = scheduler(jobs: 1)
        XCTAssertEqual(s.handle(.start), [.check(0), .check(4)])
        XCTAssertEqual(s.handle(.checked(0, cached: false)), [.launch(0)])
        // 4 must run too but the only slot is taken: it waits as `ready`, no second check.
        XCTAssertEqual(s.handle(.checked(4, cached: false)), [])
        XCTAssertEqual(s.states[4], .ready)
        XCTAssertEqual(s.handle(.succeeded(0)), [.check(1), .check(2), .launch(4)])
        XCTAssertEqual(s.handle(.checked(1, cached: false)), [])
        XCTAssertEqual(s.handle(.checked(2, cached: false)), [])
        XCTAssertEqual(s.handle(.succeeded(4)), [.launch(1)])
        XCTAssertEqual(s.handle(.succeeded(1)), [.launch(2)])
        XCTAssertEqual(s.handle(.succeeded(2)), [.check(3)])
        XCTAssertEqual(s.handle(.checked(3, cached: false)), [.launch(3)])
        XCTAssertEqual(s.handle(.succeeded(3)), [.finish(.succeeded)])
    }

    func testAFailureSkipsItsDependentsAndKeepGoingRunsTheRest() {
        var s = scheduler(keepGoing: true)
        _ = s.handle(.start)
        XCTAssertEqual(s.handle(.checked(0, cached: true)), [.check(1), .check(2)])
        XCTAssertEqual(s.handle(.checked(4, cached: false)), [.launch(4)])
        XCTAssertEqual(s.handle(.checked(1, cached: false)), [.launch(1)])
        XCTAssertEqual(s.handle(.checked(2, cached: false)), [.launch(2)])
        // 1 fails: 3 (reads 1) is skipped naming 1; 2 and 4 still finish.
        XCTAssertEqual(s.handle(.failed(1)), [.skip(3, .upstream(1))])
        XCTAssertEqual(s.handle(.succeeded(2)), [])
        XCTAssertEqual(s.handle(.succeeded(4)), [.finish(.failed)])
    }

    func testWithoutKeepGoingNothingNewStartsAfterAFailure() {
        var s = scheduler(jobs: 1)
        _ = s.handle(.start)
        XCTAssertEqual(s.handle(.checked(0, cached: true)), [.check(1), .check(2)])
        XCTAssertEqual(s.handle(.checked(4, cached: false)), [.launch(4)])
        XCTAssertEqual(s.handle(.checked(1, cached: false)), [])
        XCTAssertEqual(s.handle(.checked(2, cached: true)), [])
        XCTAssertTrue(s.isStopping == false)
        // 4 fails while 1 waits for the slot: 1 never starts; 3 waits on 1 and is not run either.
        XCTAssertEqual(s.handle(.failed(4)), [.skip(1, .stoppedAfterFailure), .skip(3, .stoppedAfterFailure),
                                              .finish(.failed)])
    }

    func testAFailureWaitsForTheRunningBodies() {
        var s = scheduler(jobs: 2)
        _ = s.handle(.start)
        XCTAssertEqual(s.handle(.checked(0, cached: false)), [.launch(0)])
        XCTAssertEqual(s.handle(.checked(4, cached: false)), [.launch(4)])
        XCTAssertEqual(s.handle(.failed(4)), [], "0 is still running")
        XCTAssertEqual(s.handle(.succeeded(0)), [.skip(1, .stoppedAfterFailure), .skip(2, .stoppedAfterFailure),
                                                 .skip(3, .stoppedAfterFailure), .finish(.failed)])
    }

    func testAnInterruptionStartsNothingAndEndsWhenTheBodiesStop() {
        var s = scheduler(jobs: 1)
        _ = s.handle(.start)
        XCTAssertEqual(s.handle(.checked(0, cached: false)), [.launch(0)])
        XCTAssertEqual(s.handle(.checked(4, cached: false)), [])
        XCTAssertEqual(s.handle(.interrupt), [])
        XCTAssertTrue(s.isStopping)
        XCTAssertEqual(s.handle(.stopped(0)), [.skip(1, .upstream(0)), .skip(2, .upstream(0)), .skip(3, .upstream(1)),
                                               .skip(4, .interrupted), .finish(.interrupted)])
    }

    func testABodyThatStopsFirstInterruptsTheRun() {
        var s = scheduler(jobs: 1)
        _ = s.handle(.start)
        XCTAssertEqual(s.handle(.checked(0, cached: true)), [.check(1), .check(2)])
        XCTAssertEqual(s.handle(.checked(4, cached: true)), [])
        XCTAssertEqual(s.handle(.checked(1, cached: true)), [])
        XCTAssertEqual(s.handle(.checked(2, cached: false)), [.launch(2)])
        XCTAssertEqual(s.handle(.stopped(2)), [.skip(3, .upstream(2)), .finish(.interrupted)])
    }

    func testAnInterruptionWhileOnlyChecksArePendingFinishesOnTheirAnswers() {
        var s = scheduler()
        XCTAssertEqual(s.handle(.start), [.check(0), .check(4)])
        XCTAssertEqual(s.handle(.interrupt), [])
        XCTAssertEqual(s.handle(.checked(0, cached: true)), [])
        XCTAssertEqual(s.handle(.checked(4, cached: false)), [.skip(1, .interrupted), .skip(2, .interrupted),
                                                              .skip(3, .interrupted), .skip(4, .interrupted),
                                                              .finish(.interrupted)])
    }

    func testAnExclusiveStepWaitsForTheRunningBodiesAndRunsAlone() {
        // 2 is exclusive (a timing measurement); two job slots.
        var s = Scheduler(steps: [0, 1, 2, 3, 4], producers: producers, jobs: 2, keepGoing: false, exclusive: [2])
        XCTAssertEqual(s.handle(.start), [.check(0), .check(4)])
        XCTAssertEqual(s.handle(.checked(0, cached: false)), [.launch(0)])
        XCTAssertEqual(s.handle(.checked(4, cached: false)), [.launch(4)])
        XCTAssertEqual(s.handle(.succeeded(0)), [.check(1), .check(2)])
        // 2 is ready while 4 runs: it waits, and 1 (a free slot) is held back so the machine drains.
        XCTAssertEqual(s.handle(.checked(2, cached: false)), [])
        XCTAssertEqual(s.handle(.checked(1, cached: false)), [], "nothing new starts while an exclusive step waits")
        XCTAssertEqual(s.states[1], .ready)
        XCTAssertEqual(s.handle(.succeeded(4)), [.launch(2)], "the exclusive step starts once nothing runs")
        XCTAssertEqual(s.states[1], .ready, "and nothing starts beside it")
        XCTAssertEqual(s.handle(.succeeded(2)), [.launch(1)])
        XCTAssertEqual(s.handle(.succeeded(1)), [.check(3)])
        XCTAssertEqual(s.handle(.checked(3, cached: false)), [.launch(3)])
        XCTAssertEqual(s.handle(.succeeded(3)), [.finish(.succeeded)])
    }

    func testAFailedExclusiveStepFreesTheMachine() {
        var s = Scheduler(steps: [0, 1, 2, 3, 4], producers: producers, jobs: 2, keepGoing: true, exclusive: [4])
        XCTAssertEqual(s.handle(.start), [.check(0), .check(4)])
        XCTAssertEqual(s.handle(.checked(0, cached: true)), [.check(1), .check(2)])
        XCTAssertEqual(s.handle(.checked(4, cached: false)), [.launch(4)])
        XCTAssertEqual(s.handle(.checked(1, cached: false)), [])
        XCTAssertEqual(s.handle(.checked(2, cached: false)), [])
        XCTAssertEqual(s.handle(.failed(4)), [.launch(1), .launch(2)])
        XCTAssertEqual(s.handle(.succeeded(1)), [])
        XCTAssertEqual(s.handle(.succeeded(2)), [.check(3)])
        XCTAssertEqual(s.handle(.checked(3, cached: true)), [.finish(.failed)])
    }

    func testAnEmptyPlanFinishesAtOnce() {
        var s = Scheduler(steps: [], producers: [:], jobs: 1, keepGoing: false)
        XCTAssertEqual(s.handle(.start), [.finish(.succeeded)])
    }
}
